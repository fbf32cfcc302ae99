import pg from 'pg'

/**
 * pg turns `date` into a local-midnight Date that shifts a day across time zones, and int8 into
 * a string. Dates stay the plain string the database holds; int8 (counts) becomes a number.
 */
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v)
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))

export { pg }
