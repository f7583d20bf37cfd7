/**
 * DIMSE command field values (PS3.7 Section 9.3 for DIMSE-C, Section 10.3 for DIMSE-N, Annex E).
 * A response is its request's value with bit 15 set; C-CANCEL-RQ has no response.
 */
export const COMMAND_FIELD = {
  'C-STORE-RQ': 0x0001,
  'C-STORE-RSP': 0x8001,
  'C-GET-RQ': 0x0010,
  'C-GET-RSP': 0x8010,
  'C-FIND-RQ': 0x0020,
  'C-FIND-RSP': 0x8020,
  'C-MOVE-RQ': 0x0021,
  'C-MOVE-RSP': 0x8021,
  'C-ECHO-RQ': 0x0030,
  'C-ECHO-RSP': 0x8030,
  'N-EVENT-REPORT-RQ': 0x0100,
  'N-EVENT-REPORT-RSP': 0x8100,
  'N-GET-RQ': 0x0110,
  'N-GET-RSP': 0x8110,
  'N-SET-RQ': 0x0120,
  'N-SET-RSP': 0x8120,
  'N-ACTION-RQ': 0x0130,
  'N-ACTION-RSP': 0x8130,
  'N-CREATE-RQ': 0x0140,
  'N-CREATE-RSP': 0x8140,
  'N-DELETE-RQ': 0x0150,
  'N-DELETE-RSP': 0x8150,
  'C-CANCEL-RQ': 0x0fff,
} as const;

export type CommandFieldName = keyof typeof COMMAND_FIELD;
export type CommandFieldValue = (typeof COMMAND_FIELD)[CommandFieldName];

const NAME_BY_VALUE: ReadonlyMap<number, CommandFieldName> = new Map(
  (Object.entries(COMMAND_FIELD) as [CommandFieldName, number][]).map(([name, value]) => [value, name]),
);

/** The PS3.7 name of a command field value, or undefined for a value the standard does not define. */
export function commandFieldName(value: number): CommandFieldName | undefined {
  return NAME_BY_VALUE.get(value);
}

/** A readable label for logs and error messages: the name, or the hex value when unknown. */
export function commandFieldLabel(value: number): string {
  return NAME_BY_VALUE.get(value) ?? `command 0x${value.toString(16).padStart(4, '0')}`;
}

/** True for a response command field (bit 15 set, PS3.7 Annex E). */
export function isResponseField(value: number): boolean {
  return (value & 0x8000) !== 0;
}

/**
 * The response command field answering a request command field, or undefined when the value is
 * not a known request or has no response (C-CANCEL-RQ, PS3.7 9.3.2.3).
 */
export function responseFieldFor(requestField: number): CommandFieldValue | undefined {
  if (isResponseField(requestField) || requestField === COMMAND_FIELD['C-CANCEL-RQ']) return undefined;
  const name = NAME_BY_VALUE.get(requestField | 0x8000);
  return name === undefined ? undefined : COMMAND_FIELD[name];
}
