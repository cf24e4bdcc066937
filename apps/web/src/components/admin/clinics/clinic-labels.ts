import type { RouterOutputs } from '@/trpc/react';

export type ClinicListItemView = RouterOutputs['admin']['clinics']['list'][number];
export type ClinicSettingsView = RouterOutputs['admin']['clinics']['get'];
export type ProviderValue = ClinicSettingsView['pimsProvider'];

export const PROVIDER_LABEL: Readonly<Record<ProviderValue, string>> = {
  idexx_neo: 'IDEXX Neo',
  ezyvet: 'ezyVet',
};

export const clinicPath = (id: string, tab?: 'schedule' | 'bookings') => `/dashboard/admin/clinics/${id}${tab ? `/${tab}` : ''}`;
export const syncPath = (id: string) => `/dashboard/admin/sync/${id}`;
