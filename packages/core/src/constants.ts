/**
 * Our implementation class UID and version name (PS3.7 D.3.3.2, PS3.10 7.1): one value for every
 * package, on the wire (A-ASSOCIATE user information) and in file meta headers alike. The UID is
 * UUID-derived (PS3.5 B.2, root 2.25), so it needs no registered organisation root; replace it
 * through configuration once HnVue has one.
 */
export const HNVUE_IMPLEMENTATION_CLASS_UID: string = '2.25.248926434107631221025991442455690527642';
/** At most 16 characters (SH); `HNVUE_<major>_<minor>` of @hnvue/core (test/constants.test.ts). */
export const HNVUE_IMPLEMENTATION_VERSION_NAME: string = 'HNVUE_0_2';
