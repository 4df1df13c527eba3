import { databaseFaultOf } from './database-faults';

describe('databaseFaultOf', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it('names a database that cannot be reached or went away', () => {
    for (const code of [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      '08006',
      '08001',
      '57P01',
      '57P03',
      '53300',
    ])
      expect({ code, fault: databaseFaultOf(withCode(code)) }).toEqual({ code, fault: 'unavailable' });
    expect(databaseFaultOf(new Error('Connection terminated unexpectedly'))).toBe('unavailable');
    expect(databaseFaultOf(new Error('timeout exceeded when trying to connect'))).toBe('unavailable');
    expect(databaseFaultOf(new Error('Connection is closed.'))).toBe('unavailable');
    expect(databaseFaultOf(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe('unavailable');
  });

  it('names statement and lock timeouts', () => {
    expect(databaseFaultOf(withCode('57014', 'canceling statement due to statement timeout'))).toBe(
      'timeout',
    );
    expect(databaseFaultOf(withCode('55P03', 'canceling statement due to lock timeout'))).toBe('timeout');
  });

  it('reads through TypeORM and cause wrappers', () => {
    const wrapped = Object.assign(new Error('query failed'), { driverError: withCode('57P01') });
    expect(databaseFaultOf(wrapped)).toBe('unavailable');
    expect(databaseFaultOf(new Error('outer', { cause: withCode('55P03') }))).toBe('timeout');
  });

  it("leaves the request's own errors alone", () => {
    for (const code of ['23505', '23503', '22P02', '40001', '42P01', 'ERR_X'])
      expect({ code, fault: databaseFaultOf(withCode(code)) }).toEqual({ code, fault: undefined });
    expect(databaseFaultOf(new Error('boom'))).toBeUndefined();
    expect(databaseFaultOf(undefined)).toBeUndefined();
    expect(databaseFaultOf('ECONNREFUSED')).toBeUndefined();
  });
});
