/**
 * When a study is delivered (issue 21): per storage destination, its part of the study (what was
 * queued for it, what it accepted, its commitment) and the rules over them. A destination with a
 * commitment SCP is done once its report committed every reference; one without, once it accepted
 * every C-STORE. The study is delivered once closed and every destination with
 * `requiredForDelivered` that got objects is done. Pure functions over the study record (state.ts).
 */
import type { DicomServiceOptions } from './config/index.js';
import { commitmentFor, PACS, requiredForDelivered } from './routing.js';
import { type DestinationStudyState, emptyStudy, type SopRef, type StudyState } from './state.js';

const EMPTY_PART: DestinationStudyState = { references: [], delivered: [] };

/** The destination's part (empty when nothing was queued for it). */
export function partOf(study: StudyState, destination: string): DestinationStudyState {
  if (destination !== PACS) return study.others?.[destination] ?? EMPTY_PART;
  const { references, delivered, commitment, committed } = study;
  return {
    references,
    delivered,
    ...(commitment === undefined ? {} : { commitment }),
    ...(committed === undefined ? {} : { committed }),
  };
}

export function withPart(study: StudyState, destination: string, part: DestinationStudyState): StudyState {
  if (destination === PACS) return { ...study, ...part };
  return { ...study, others: { ...study.others, [destination]: part } };
}

/** The names of the destinations that have a part, `pacs` first. */
export function partNames(study: StudyState): string[] {
  return [...(study.references.length > 0 ? [PACS] : []), ...Object.keys(study.others ?? {})];
}

export function withReference(study: StudyState | undefined, destination: string, ref: SopRef): StudyState {
  const s = study ?? emptyStudy();
  const part = partOf(s, destination);
  if (part.references.some((r) => r.sopInstanceUid === ref.sopInstanceUid)) return s;
  return withPart(s, destination, { ...part, references: [...part.references, ref] });
}

/** Every reference of the part accepted by its destination. */
export function allAccepted(part: DestinationStudyState): boolean {
  return (
    part.references.length > 0 && part.references.every((r) => part.delivered.includes(r.sopInstanceUid))
  );
}

/** The destination holds the study: committed, or (no commitment SCP) every C-STORE accepted. */
export function partDone(config: DicomServiceOptions, study: StudyState, destination: string): boolean {
  const part = partOf(study, destination);
  if (!study.closed || part.references.length === 0) return false;
  return commitmentFor(config, destination) ? part.committed === true : allAccepted(part);
}

/** Closed, and every required destination that got objects holds them (see the module comment). */
export function studyDelivered(config: DicomServiceOptions, study: StudyState): boolean {
  const names = partNames(study);
  const required = names.filter((d) => requiredForDelivered(config, d));
  return study.closed && required.length > 0 && required.every((d) => partDone(config, study, d));
}

/** Every destination still configured that got objects holds them: the record may go. */
export function studyFinished(config: DicomServiceOptions, study: StudyState): boolean {
  const names = partNames(study).filter((d) =>
    d === PACS ? config.pacs !== undefined : config.storage?.[d] !== undefined,
  );
  return study.closed && names.length > 0 && names.every((d) => partDone(config, study, d));
}
