export {
  type CodecBackend,
  type CodecRegistration,
  codecsFor,
  registerCodec,
  registeredCodecs,
} from './codecs.js';
export {
  type CompressionFamily,
  type DatasetEncoding,
  datasetEncoding,
  isEncapsulatedTransferSyntax,
  isLossyTransferSyntax,
  isNativeTransferSyntax,
  type KnownTransferSyntaxKey,
  type KnownTransferSyntaxUid,
  type PixelEncoding,
  TRANSFER_SYNTAXES,
  type TransferSyntaxInfo,
  TS,
  transferSyntax,
} from './transfer-syntax.js';
