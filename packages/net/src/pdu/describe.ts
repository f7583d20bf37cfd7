/**
 * One-line, PHI-free summaries of PDUs for logs. AE titles, UIDs and sizes are not PHI; PDV values
 * (which hold datasets) and user identity fields (credentials) are never printed, only their sizes.
 */
import type { Pdu, UserInformation } from './types.js';

export interface DescribeOptions {
  /** List each presentation context (id, abstract syntax, result). Default false: counts only. */
  readonly contexts?: boolean;
}

export function describePdu(pdu: Pdu, options: DescribeOptions = {}): string {
  switch (pdu.type) {
    case 'A-ASSOCIATE-RQ': {
      const contexts = options.contexts
        ? ` [${pdu.presentationContexts.map((pc) => `${pc.id}:${pc.abstractSyntax}(${pc.transferSyntaxes.length} ts)`).join(', ')}]`
        : '';
      return `A-ASSOCIATE-RQ ${pdu.callingAeTitle} -> ${pdu.calledAeTitle}, ${pdu.presentationContexts.length} contexts${contexts}, ${userInfo(pdu.userInformation)}`;
    }
    case 'A-ASSOCIATE-AC': {
      const accepted = pdu.presentationContexts.filter((pc) => pc.result === 0).length;
      const contexts = options.contexts
        ? ` [${pdu.presentationContexts.map((pc) => `${pc.id}:${pc.result === 0 ? pc.transferSyntax : `rejected ${pc.result}`}`).join(', ')}]`
        : '';
      return `A-ASSOCIATE-AC ${pdu.calledAeTitle} -> ${pdu.callingAeTitle}, ${accepted}/${pdu.presentationContexts.length} contexts accepted${contexts}, ${userInfo(pdu.userInformation)}`;
    }
    case 'A-ASSOCIATE-RJ':
      return `A-ASSOCIATE-RJ result ${pdu.result} source ${pdu.source} reason ${pdu.reason}`;
    case 'P-DATA-TF':
      return `P-DATA-TF ${pdu.pdvs
        .map(
          (pdv) =>
            `pc ${pdv.contextId} ${pdv.isCommand ? 'command' : 'data'}${pdv.isLast ? ' last' : ''} ${pdv.data.length} bytes`,
        )
        .join('; ')}`;
    case 'A-RELEASE-RQ':
    case 'A-RELEASE-RP':
      return pdu.type;
    case 'A-ABORT':
      return `A-ABORT source ${pdu.source} reason ${pdu.reason}`;
    default: {
      const never: never = pdu;
      return `unknown PDU ${String((never as { type?: unknown }).type)}`;
    }
  }
}

function userInfo(ui: UserInformation): string {
  const parts = [`max ${ui.maxPduLength}`];
  if (ui.implementationClassUid !== '') parts.push(`impl ${ui.implementationClassUid}`);
  if (ui.implementationVersionName !== undefined) parts.push(`version ${ui.implementationVersionName}`);
  const w = ui.asynchronousOperationsWindow;
  if (w !== undefined) parts.push(`async ${w.maxOperationsInvoked}/${w.maxOperationsPerformed}`);
  if (ui.roleSelections.length > 0) parts.push(`${ui.roleSelections.length} role selections`);
  if (ui.sopClassExtendedNegotiations.length > 0)
    parts.push(`${ui.sopClassExtendedNegotiations.length} extended`);
  if (ui.sopClassCommonExtendedNegotiations.length > 0) {
    parts.push(`${ui.sopClassCommonExtendedNegotiations.length} common extended`);
  }
  if (ui.userIdentityRq !== undefined) parts.push(`user identity type ${ui.userIdentityRq.identityType}`);
  if (ui.userIdentityAc !== undefined)
    parts.push(`user identity response ${ui.userIdentityAc.serverResponse.length} bytes`);
  if (ui.unknownItems.length > 0) parts.push(`${ui.unknownItems.length} unknown items`);
  return parts.join(', ');
}
