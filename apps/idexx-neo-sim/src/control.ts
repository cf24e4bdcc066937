import { controlRoutes as sharedControlRoutes } from '@pims/sim-scenario';
import type { SimState } from './state';

/** The control API (/__sim/*) of CONTRACT section 5: the shared routes, with Neo's login flags in GET /__sim/clinics. */
export { isLoopbackAddress } from '@pims/sim-scenario';

export function controlRoutes(state: SimState) {
  return sharedControlRoutes(state, {
    clinicSummary: (c) => ({ mfa: c.mfa, showCompanyId: c.showCompanyId }),
  });
}
