export { AssociationPools, type PoolKey, type PoolSettings, poolKeyString } from './agent.js';
export {
  AssociationPool,
  type Lease,
  POOL_DEFAULTS,
  PoolClosedError,
  PoolExhaustedError,
  type PoolOptions,
  type PoolResource,
  type PoolStats,
} from './pool.js';
