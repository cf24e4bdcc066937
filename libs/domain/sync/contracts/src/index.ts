export * from './api';
export * from './labels';
export * from './bookings';
