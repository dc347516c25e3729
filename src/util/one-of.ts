/**
 * `value` narrowed to one of `options`; any other value ends in the error `refuse` makes of it
 * and of the options, each quoted.
 */
export function oneOf<T extends string>(
  value: string,
  options: readonly T[],
  refuse: (value: string, quoted: string[]) => Error,
): T {
  if ((options as readonly string[]).includes(value)) return value as T;
  throw refuse(
    value,
    options.map((o) => `"${o}"`),
  );
}
