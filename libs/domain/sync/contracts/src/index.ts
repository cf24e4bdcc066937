export * from './api';
export * from './labels';
export * from './bookings';
export * from './error-body';
export * from './clinic-settings';
export * from './vapi';
export * from './schedule';
export * from './clinic-connection';
