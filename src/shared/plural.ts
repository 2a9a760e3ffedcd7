// Counts in English messages: "1 guess", "2 guesses", never "1 guesses" or "game(s)".

/** `n` followed by the word's singular or plural form (plural: the singular + "s" unless given). */
export function plural(n: number | bigint, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 || n === 1n ? singular : pluralForm}`;
}
