import { type NaturalDataset, SOP_CLASS } from '@hnvue/dicom';
import {
  GENERAL_EQUIPMENT,
  GENERAL_SERIES,
  GENERAL_STUDY,
  has,
  PATIENT,
  SOP_COMMON,
  SOP_REFERENCE,
} from './common-modules.js';
import type { AttributeRule, IodDefinition, ModuleRule } from './types.js';

const shapes = (ds: NaturalDataset): string[] => {
  const v = ds.ShutterShape;
  return (Array.isArray(v) ? v : [v]).map(String);
};

const IMAGE_REFERENCE: AttributeRule = {
  keyword: 'ReferencedImageSequence',
  type: '1C',
  when: () => false,
  mayBePresentOtherwise: true,
  items: SOP_REFERENCE,
};

/** PS3.3 C.11.9 */
const PRESENTATION_SERIES: ModuleRule = {
  name: 'PresentationSeries',
  usage: 'M',
  attributes: [{ keyword: 'Modality', type: '1', enumerated: ['PR'] }],
};

/** PS3.3 C.11.10 with the Content Identification Macro (Table 10-12). */
const PRESENTATION_STATE_IDENTIFICATION: ModuleRule = {
  name: 'PresentationStateIdentification',
  usage: 'M',
  attributes: [
    { keyword: 'PresentationCreationDate', type: '1' },
    { keyword: 'PresentationCreationTime', type: '1' },
    { keyword: 'InstanceNumber', type: '1' },
    { keyword: 'ContentLabel', type: '1' },
    { keyword: 'ContentDescription', type: '2' },
    { keyword: 'ContentCreatorName', type: '2' },
  ],
};

/** PS3.3 C.11.11 */
const PRESENTATION_STATE_RELATIONSHIP: ModuleRule = {
  name: 'PresentationStateRelationship',
  usage: 'M',
  attributes: [
    {
      keyword: 'ReferencedSeriesSequence',
      type: '1',
      items: [
        { keyword: 'SeriesInstanceUID', type: '1' },
        { keyword: 'ReferencedImageSequence', type: '1', items: SOP_REFERENCE },
      ],
    },
  ],
};

const DISPLAY_SHUTTER_PRESENT = (ds: NaturalDataset): boolean => has(ds, 'ShutterShape');

/** PS3.3 C.11.12 */
const PRESENTATION_STATE_SHUTTER: ModuleRule = {
  name: 'PresentationStateShutter',
  usage: 'M',
  attributes: [{ keyword: 'ShutterPresentationValue', type: '1C', when: DISPLAY_SHUTTER_PRESENT }],
};

/** PS3.3 C.7.6.11 */
const DISPLAY_SHUTTER: ModuleRule = {
  name: 'DisplayShutter',
  usage: 'C',
  required: DISPLAY_SHUTTER_PRESENT,
  attributes: [
    { keyword: 'ShutterShape', type: '1', enumerated: ['RECTANGULAR', 'CIRCULAR', 'POLYGONAL'] },
    ...[
      'ShutterLeftVerticalEdge',
      'ShutterRightVerticalEdge',
      'ShutterUpperHorizontalEdge',
      'ShutterLowerHorizontalEdge',
    ].map(
      (keyword): AttributeRule => ({ keyword, type: '1C', when: (ds) => shapes(ds).includes('RECTANGULAR') }),
    ),
    { keyword: 'CenterOfCircularShutter', type: '1C', when: (ds) => shapes(ds).includes('CIRCULAR') },
    { keyword: 'RadiusOfCircularShutter', type: '1C', when: (ds) => shapes(ds).includes('CIRCULAR') },
    { keyword: 'VerticesOfThePolygonalShutter', type: '1C', when: (ds) => shapes(ds).includes('POLYGONAL') },
  ],
};

/** PS3.3 C.10.4 */
const DISPLAYED_AREA: ModuleRule = {
  name: 'DisplayedArea',
  usage: 'M',
  attributes: [
    {
      keyword: 'DisplayedAreaSelectionSequence',
      type: '1',
      items: [
        IMAGE_REFERENCE,
        { keyword: 'DisplayedAreaTopLeftHandCorner', type: '1' },
        { keyword: 'DisplayedAreaBottomRightHandCorner', type: '1' },
        { keyword: 'PresentationSizeMode', type: '1', enumerated: ['SCALE TO FIT', 'TRUE SIZE', 'MAGNIFY'] },
        {
          keyword: 'PresentationPixelSpacing',
          type: '1C',
          when: (it) => it.PresentationSizeMode === 'TRUE SIZE' || !has(it, 'PresentationPixelAspectRatio'),
          mayBePresentOtherwise: true,
        },
        {
          keyword: 'PresentationPixelAspectRatio',
          type: '1C',
          when: (it) => !has(it, 'PresentationPixelSpacing'),
          mayBePresentOtherwise: true,
        },
        {
          keyword: 'PresentationPixelMagnificationRatio',
          type: '1C',
          when: (it) => it.PresentationSizeMode === 'MAGNIFY',
        },
      ],
    },
  ],
};

/** PS3.3 C.10.5 */
const GRAPHIC_ANNOTATION: ModuleRule = {
  name: 'GraphicAnnotation',
  usage: 'C',
  required: (ds) => has(ds, 'GraphicAnnotationSequence'),
  attributes: [
    {
      keyword: 'GraphicAnnotationSequence',
      type: '1',
      items: [
        IMAGE_REFERENCE,
        { keyword: 'GraphicLayer', type: '1' },
        {
          keyword: 'TextObjectSequence',
          type: '1C',
          when: (it) => !has(it, 'GraphicObjectSequence'),
          mayBePresentOtherwise: true,
          items: [
            {
              keyword: 'BoundingBoxAnnotationUnits',
              type: '1C',
              when: (it) =>
                has(it, 'BoundingBoxTopLeftHandCorner') || has(it, 'BoundingBoxBottomRightHandCorner'),
              enumerated: ['PIXEL', 'DISPLAY', 'MATRIX'],
            },
            {
              keyword: 'AnchorPointAnnotationUnits',
              type: '1C',
              when: (it) => has(it, 'AnchorPoint'),
              enumerated: ['PIXEL', 'DISPLAY', 'MATRIX'],
            },
            { keyword: 'UnformattedTextValue', type: '1' },
            { keyword: 'BoundingBoxTopLeftHandCorner', type: '1C', when: (it) => !has(it, 'AnchorPoint') },
            {
              keyword: 'BoundingBoxBottomRightHandCorner',
              type: '1C',
              when: (it) => !has(it, 'AnchorPoint'),
            },
            {
              keyword: 'BoundingBoxTextHorizontalJustification',
              type: '1C',
              when: (it) => has(it, 'BoundingBoxTopLeftHandCorner'),
              enumerated: ['LEFT', 'RIGHT', 'CENTER'],
            },
            {
              keyword: 'AnchorPoint',
              type: '1C',
              when: (it) => !has(it, 'BoundingBoxTopLeftHandCorner'),
              mayBePresentOtherwise: true,
            },
            {
              keyword: 'AnchorPointVisibility',
              type: '1C',
              when: (it) => has(it, 'AnchorPoint'),
              enumerated: ['Y', 'N'],
            },
          ],
        },
        {
          keyword: 'GraphicObjectSequence',
          type: '1C',
          when: (it) => !has(it, 'TextObjectSequence'),
          mayBePresentOtherwise: true,
          items: [
            { keyword: 'GraphicAnnotationUnits', type: '1', enumerated: ['PIXEL', 'DISPLAY', 'MATRIX'] },
            { keyword: 'GraphicDimensions', type: '1', enumerated: [2] },
            { keyword: 'NumberOfGraphicPoints', type: '1' },
            { keyword: 'GraphicData', type: '1' },
            {
              keyword: 'GraphicType',
              type: '1',
              enumerated: ['POINT', 'POLYLINE', 'INTERPOLATED', 'CIRCLE', 'ELLIPSE'],
            },
            {
              keyword: 'GraphicFilled',
              type: '1C',
              when: () => false,
              mayBePresentOtherwise: true,
              enumerated: ['Y', 'N'],
            },
          ],
        },
      ],
    },
  ],
};

/** PS3.3 C.10.6 */
const SPATIAL_TRANSFORMATION: ModuleRule = {
  name: 'SpatialTransformation',
  usage: 'C',
  required: (ds) => has(ds, 'ImageRotation') || has(ds, 'ImageHorizontalFlip'),
  attributes: [
    { keyword: 'ImageRotation', type: '1', enumerated: [0, 90, 180, 270] },
    { keyword: 'ImageHorizontalFlip', type: '1', enumerated: ['Y', 'N'] },
  ],
};

/** PS3.3 C.10.7: required when graphic annotations name layers. */
const GRAPHIC_LAYER: ModuleRule = {
  name: 'GraphicLayer',
  usage: 'C',
  required: (ds) => has(ds, 'GraphicAnnotationSequence'),
  attributes: [
    {
      keyword: 'GraphicLayerSequence',
      type: '1',
      items: [
        { keyword: 'GraphicLayer', type: '1' },
        { keyword: 'GraphicLayerOrder', type: '1' },
      ],
    },
  ],
};

/** PS3.3 C.11.8 */
const SOFTCOPY_VOI_LUT: ModuleRule = {
  name: 'SoftcopyVOILUT',
  usage: 'C',
  required: (ds) => has(ds, 'SoftcopyVOILUTSequence'),
  attributes: [
    {
      keyword: 'SoftcopyVOILUTSequence',
      type: '1',
      items: [
        IMAGE_REFERENCE,
        {
          keyword: 'VOILUTSequence',
          type: '1C',
          when: (it) => !has(it, 'WindowCenter'),
          mayBePresentOtherwise: true,
        },
        {
          keyword: 'WindowCenter',
          type: '1C',
          when: (it) => !has(it, 'VOILUTSequence'),
          mayBePresentOtherwise: true,
        },
        { keyword: 'WindowWidth', type: '1C', when: (it) => has(it, 'WindowCenter') },
      ],
    },
  ],
};

/** PS3.3 C.11.6 */
const SOFTCOPY_PRESENTATION_LUT: ModuleRule = {
  name: 'SoftcopyPresentationLUT',
  usage: 'M',
  attributes: [
    { keyword: 'PresentationLUTSequence', type: '1C', when: (ds) => !has(ds, 'PresentationLUTShape') },
    {
      keyword: 'PresentationLUTShape',
      type: '1C',
      when: (ds) => !has(ds, 'PresentationLUTSequence'),
      enumerated: ['IDENTITY', 'INVERSE'],
    },
  ],
};

/** PS3.3 A.33.1: Grayscale Softcopy Presentation State IOD. */
export const GSPS_IOD: IodDefinition = {
  name: 'GSPS',
  sopClassUids: [SOP_CLASS.grayscaleSoftcopyPresentationStateStorage],
  modules: [
    PATIENT,
    GENERAL_STUDY,
    { ...GENERAL_SERIES, attributes: GENERAL_SERIES.attributes },
    PRESENTATION_SERIES,
    GENERAL_EQUIPMENT,
    PRESENTATION_STATE_IDENTIFICATION,
    PRESENTATION_STATE_RELATIONSHIP,
    PRESENTATION_STATE_SHUTTER,
    DISPLAY_SHUTTER,
    DISPLAYED_AREA,
    GRAPHIC_ANNOTATION,
    SPATIAL_TRANSFORMATION,
    GRAPHIC_LAYER,
    SOFTCOPY_VOI_LUT,
    SOFTCOPY_PRESENTATION_LUT,
    SOP_COMMON,
  ],
};
