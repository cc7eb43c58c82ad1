export { Engine, DAY_MS } from './engine.js';
export type { EngineOptions } from './engine.js';
export * from './model.js';
export type { Logger } from './logger.js';
export type { ListQuery, QueueDepth } from './store.js';
export type { EngineObserver } from './observer.js';
export type { OperationFaults } from './faults.js';
