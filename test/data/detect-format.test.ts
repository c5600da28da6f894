import { describe, expect, it } from 'vitest';
import { detectFormat, formatOfHeader, formatOfRow, isHeaderLine } from '../../src/data/detect-format.js';

describe('detectFormat', () => {
  it('recognises each format by its header', () => {
    expect(detectFormat('user_id,item_id,behavior_type,user_geohash,item_category,time\n')).toBe('tianchi');
    expect(detectFormat('\uFEFFtimestamp,visitorid,event,itemid,transactionid\r\n')).toBe('retailrocket');
    expect(detectFormat('user_id,item_id,category_id,behavior_type,timestamp\n')).toBe('userbehavior');
    expect(detectFormat('"USER_ID","ITEM_ID","BEHAVIOR_TYPE","USER_GEOHASH","ITEM_CATEGORY","TIME"\n')).toBe('tianchi');
  });

  it('recognises each format by the shape of its rows when there is no header', () => {
    expect(detectFormat('98047837,232431562,1,,4245,2014-12-06 02\n97726136,383583590,1,,5894,2014-12-09 20')).toBe('tianchi');
    expect(detectFormat('1,2268318,2520377,pv,1511544070\n1,2333346,2520771,pv,1511561733\n')).toBe('userbehavior');
    expect(detectFormat('1433221332117,257597,view,355908,\n1433224214164,992329,view,248676,\n')).toBe('retailrocket');
  });

  it('lets the majority of the first lines decide when some are bad', () => {
    expect(detectFormat('garbage\n1,2,3,pv,1\n1,2,3,zz,1\n1,2,3,buy,1\n')).toBe('userbehavior');
    expect(detectFormat('\n\n1,2,3,,4,2014-12-06 02\r\n')).toBe('tianchi');
  });

  it('returns undefined for an empty sample or lines of no known shape', () => {
    expect(detectFormat('')).toBeUndefined();
    expect(detectFormat('\n \r\n')).toBeUndefined();
    expect(detectFormat('a,b,c\n1,2,3\n')).toBeUndefined();
    expect(detectFormat('{"user": 1}\n')).toBeUndefined();
  });
});

describe('formatOfHeader', () => {
  it('needs the right number of columns', () => {
    expect(formatOfHeader('user_id,item_id,behavior_type')).toBeUndefined();
    expect(formatOfHeader('timestamp,visitorid,event,itemid')).toBeUndefined();
  });
});

describe('formatOfRow', () => {
  it('checks the behaviour column of each format', () => {
    expect(formatOfRow('1,2,5,,4,2014-12-06 02')).toBeUndefined();
    expect(formatOfRow('1,2,3,click,1')).toBeUndefined();
    expect(formatOfRow('1,2,click,3,')).toBeUndefined();
  });
});

describe('isHeaderLine', () => {
  it('is true for lines that start with a letter, underscore or quote', () => {
    expect(['user_id,x', '"a",1', '_x', 'Timestamp'].map(isHeaderLine)).toEqual([true, true, true, true]);
    expect(['1,2', '-1,2', ' a', ''].map(isHeaderLine)).toEqual([false, false, false, false]);
  });
});
