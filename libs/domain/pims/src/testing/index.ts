export { createFakePimsProvider, fakeAppointment, fakeConsultation, type FakeClinicData, type FakePimsProvider, type FakePimsProviderOptions } from './fake-provider';
