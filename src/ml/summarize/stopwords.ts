/** English function words ignored when comparing sentences (content words carry the topic). */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above across after again against all almost also although always am among an and another any are around as at be became
because been before being below between both but by can cannot could did do does doing done down during each either else et al etc
even ever every few for from further had has have having he her here hers herself him himself his how however i if in into is it its
itself just least less many may me might more moreover most much must my myself neither no nor not now of off often on once only onto
or other others otherwise our ours ourselves out over own per perhaps rather same several she should since so some such than that the
their theirs them themselves then there thereby therefore these they this those though through thus to together too toward towards
under until up upon us very via was we were what whatever when where whereas whether which while who whom whose why will with within
without would yet you your yours eg ie cit dig`.split(/\s+/),
);
