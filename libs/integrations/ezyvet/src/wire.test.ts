import { describe, expect, it } from 'vitest';
import { encodeQuery } from './http';
import { EzAppointment, errorText, parseRecords, readListPage } from './wire';

describe('ezyVet list envelope', () => {
  it('reads meta numbers sent as strings and items under the resource name in any case', () => {
    const page = readListPage(
      {
        meta: { timestamp: '1795000000', items_page: '2', items_page_total: '3', items_page_size: '10', items_total: '25' },
        items: [{ Assessment: { id: '7', notes: 'S: bright' } }, { assessment: { id: 8 } }],
        messages: [],
      },
      'assessment',
    );
    expect(page).toMatchObject({ page: 2, pageTotal: 3, total: 25, timestamp: 1795000000 });
    expect(page.records).toEqual([{ id: '7', notes: 'S: bright' }, { id: 8 }]);
  });

  it('refuses an answer that is not a list as pims_bad_response', () => {
    expect(() => readListPage({ items: 'none' }, 'appointment')).toThrow(expect.objectContaining({ code: 'pims_bad_response' }));
    expect(() => readListPage({ items: [] }, 'appointment')).toThrow(/items_page_total/);
  });

  it("reads ezyVet's error body", () => {
    expect(errorText({ messages: [{ level: 'error', type: 'InvalidRequestException', text: 'Check the "access token" parameter.', fields: [] }] })).toBe('Check the "access token" parameter.');
    expect(errorText({ error: 'x' })).toBeNull();
  });
});

describe('ezyVet appointment records', () => {
  it('accept numbers or strings for ids and epochs, 1/0 or booleans for active, 0 as no reference', () => {
    const a = EzAppointment.parse({ id: 1001, active: '0', start_at: '1795000000', end_at: 1795001800, animal_id: 0, consult_id: '', resources: [{ id: 3 }, 'r2'], type_id: 5 });
    expect(a).toMatchObject({ id: '1001', active: false, start_at: 1795000000, animal_id: null, consult_id: null, resources: ['3', 'r2'], type_id: '5' });
  });

  it('count a record without an id or a readable start as unreadable, never fatal', () => {
    const r = parseRecords(EzAppointment, [{ id: 'A-1', start_at: 1795000000 }, { id: 'A-2' }, { start_at: 1795000000 }, { id: 'A-3', start_at: 'tomorrow' }, null]);
    expect(r.ok.map((x) => x.id)).toEqual(['A-1']);
    expect(r.bad).toBe(4);
  });
});

describe('query strings', () => {
  it("send filters as ezyVet's JSON and leave out empty values", () => {
    const q = encodeQuery({ active: 1, start_at: { gte: 10, lt: 20 }, id: { in: ['A-1', 'A-2'] }, page: undefined });
    expect(new URLSearchParams(q.slice(1)).get('start_at')).toBe('{"gte":10,"lt":20}');
    expect(new URLSearchParams(q.slice(1)).get('id')).toBe('{"in":["A-1","A-2"]}');
    expect(q).not.toContain('page');
  });
});
