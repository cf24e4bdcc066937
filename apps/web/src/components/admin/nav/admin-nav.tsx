'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const LINKS = [
  { href: '/dashboard/admin/sync', label: 'Sync' },
  { href: '/dashboard/admin/clinics', label: 'Clinics' },
  { href: '/dashboard/admin/bookings', label: 'Bookings' },
] as const;

/** The admin pages; the current one (or the section it lies in) is marked for screen readers too. */
export function AdminNav() {
  const path = usePathname() ?? '';
  return (
    <nav aria-label="Admin pages">
      <ul className="flex items-center gap-1 text-sm font-medium">
        {LINKS.map((l) => {
          const exact = path === l.href;
          const here = exact || path.startsWith(`${l.href}/`);
          return (
            <li key={l.href}>
              <Link
                href={l.href}
                aria-current={exact ? 'page' : here ? 'true' : undefined}
                className={`rounded-md px-3 py-1.5 ${here ? 'bg-indigo-50 text-indigo-800' : 'text-slate-700 hover:bg-slate-100 hover:text-slate-900'}`}
              >
                {l.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
