export * from './links.js';
export * from './routing.js';
export * from './subscribers.js';
export * from './messages.js';
export * from './config.js';
export * from './web.js';
export * from './lists.js';
export * from './apps.js';
