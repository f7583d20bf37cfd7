export {
  type DictionaryEntry,
  formatTag,
  implicitVr,
  lookupKeyword,
  lookupTag,
  parseTag,
} from './dictionary.js';
export { TAG } from './tag.js';
export type { TagKeyword } from './tags.js';
