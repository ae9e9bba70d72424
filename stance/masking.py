"""Masking actors, numbers and dates, so a model learns the act, not the actor.

In a corpus of official statements the label is correlated with who speaks
(some states mostly deny, others mostly accuse) and with incidental detail
(procedural news is full of weekdays and numbers). A model that keeps those
words learns the correlation: swapping "Tuesday" for "Friday", or one
country for another, changes its answer. Before featurising, stance
therefore replaces:

- weekday and month names with ``_weekday_`` and ``_month_`` (except "May",
  which is as often the verb);
- country names (``_country_``), their adjectives (``_national_``), capital
  cities used as metonyms (``_capital_``) and intelligence and security
  agencies' acronyms (``_agency_``), from the lists below;
- then every remaining run of digits with ``0``.

The lists are stored in every model file, so a model keeps masking exactly
as it was trained even if these lists change in a later release. People's
names are not masked: there is no dependable list of them.
"""

from __future__ import annotations

import re

__all__ = ["Masker", "DEFAULT_SPEC"]

_COUNTRIES = (
    "Afghanistan Albania Algeria Argentina Armenia Australia Austria Azerbaijan Bahrain Bangladesh Belarus Belgium "
    "Bolivia Brazil Britain Bulgaria Cambodia Cameroon Canada Chile China Colombia Croatia Cuba Cyprus Czechia "
    "Denmark Ecuador Egypt Eritrea Estonia Ethiopia Finland France Georgia Germany Ghana Greece Hungary Iceland "
    "India Indonesia Iran Iraq Ireland Israel Italy Japan Jordan Kazakhstan Kenya Kosovo Kuwait Kyrgyzstan Laos "
    "Latvia Lebanon Libya Lithuania Luxembourg Malaysia Mali Malta Mexico Moldova Mongolia Montenegro Morocco "
    "Mozambique Myanmar Nepal Nicaragua Niger Nigeria Norway Oman Pakistan Panama Paraguay Peru Poland Portugal "
    "Qatar Romania Russia Rwanda Serbia Singapore Slovakia Slovenia Somalia Spain Sudan Sweden Switzerland Syria "
    "Taiwan Tajikistan Tanzania Thailand Tunisia Turkey Türkiye Turkmenistan Uganda Ukraine Uruguay Uzbekistan "
    "Venezuela Vietnam Yemen Zambia Zimbabwe"
).split() + [
    "Bosnia and Herzegovina", "Burkina Faso", "Central African Republic", "Costa Rica", "Czech Republic",
    "Democratic Republic of the Congo", "Hong Kong", "Ivory Coast", "Macau", "New Zealand", "North Korea",
    "North Macedonia", "Saudi Arabia", "South Africa", "South Korea", "South Sudan", "Sri Lanka", "the Philippines",
    "Philippines", "the Netherlands", "Netherlands", "United Arab Emirates", "UAE", "United Kingdom", "UK", "U.K.",
    "United States", "United States of America", "US", "U.S.", "USA", "America", "PRC", "DPRK", "ROK", "ROC",
    "Great Britain", "England", "Scotland", "Wales", "Northern Ireland",
]
_DEMONYMS = (
    "Afghan Albanian Algerian Argentine Argentinian Armenian Australian Austrian Azerbaijani Bahraini Bangladeshi "
    "Belarusian Belgian Bolivian Brazilian British Bulgarian Cambodian Canadian Chilean Chinese Colombian Croatian "
    "Cuban Cypriot Czech Danish Dutch Ecuadorian Egyptian Emirati English Eritrean Estonian Ethiopian Filipino "
    "Finnish French Georgian German Ghanaian Greek Hungarian Icelandic Indian Indonesian Iranian Iraqi Irish "
    "Israeli Italian Japanese Jordanian Kazakh Kenyan Korean Kuwaiti Laotian Latvian Lebanese Libyan Lithuanian "
    "Malaysian Malian Maltese Mexican Moldovan Mongolian Moroccan Nepali Nigerian Nigerien Norwegian Omani "
    "Pakistani Panamanian Paraguayan Peruvian Philippine Polish Portuguese Qatari Romanian Russian Rwandan Saudi "
    "Scottish Serbian Singaporean Slovak Slovenian Somali Spanish Sudanese Swedish Swiss Syrian Taiwanese Tajik "
    "Tanzanian Thai Tunisian Turkish Ugandan Ukrainian Uruguayan Uzbek Venezuelan Vietnamese Welsh Yemeni "
    "Zambian Zimbabwean American Soviet"
).split() + ["North Korean", "South Korean", "New Zealand's", "Sri Lankan", "South African", "Hong Konger"]
_CAPITALS = (
    "Abuja Addis Amman Ankara Athens Baghdad Baku Bangkok Beijing Beirut Belgrade Berlin Bern Bogota Brasilia "
    "Bratislava Brussels Bucharest Budapest Cairo Canberra Caracas Colombo Copenhagen Damascus Dhaka Doha Dublin "
    "Hanoi Havana Helsinki Islamabad Jakarta Kabul Kathmandu Khartoum Kyiv Kiev Lima Lisbon Ljubljana London Madrid "
    "Managua Manila Minsk Moscow Nairobi Naypyidaw Oslo Ottawa Paris Prague Pretoria Pyongyang Riga Riyadh Rome "
    "Santiago Seoul Singapore Sofia Stockholm Taipei Tallinn Tashkent Tbilisi Tehran Tokyo Tripoli Valletta "
    "Vienna Vilnius Warsaw Washington Wellington Yerevan Zagreb"
).split() + ["Buenos Aires", "Kuala Lumpur", "Mexico City", "New Delhi", "Phnom Penh", "The Hague", "Whitehall", "Kremlin", "Zhongnanhai"]
_AGENCIES = (
    "MI5 MI6 SIS GCHQ NCSC FBI CIA NSA DIA CISA ODNI DHS MSS MPS PLA GRU FSB SVR KGB BND BfV MAD DGSI DGSE ASIO "
    "ASIS ASD CSIS CSE NZSIS GCSB AIVD MIVD PST Supo KAPO NIS RGB Mossad IRGC MOIS Säpo PET DGSE ISI RAW NIA ABW "
    "SBU VSB BIS SIE"
).split()

#: The masking shipped with stance: plain data, stored in every model file.
DEFAULT_SPEC = {
    "version": 1,
    "numbers": "0",
    "groups": [
        {"replacement": "_weekday_", "terms": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()},
        {
            "replacement": "_month_",
            "terms": "January February March April June July August September October November December".split()
            + "Jan. Feb. Mar. Apr. Aug. Sep. Sept. Oct. Nov. Dec.".split(),
        },
        {"replacement": "_country_", "terms": _COUNTRIES},
        {"replacement": "_national_", "terms": _DEMONYMS},
        {"replacement": "_capital_", "terms": _CAPITALS},
        {"replacement": "_agency_", "terms": _AGENCIES},
    ],
}

_DIGITS = re.compile(r"\d+")


def _trie_pattern(terms):
    """A regular expression matching any of ``terms``, longest first.

    The terms are merged into a prefix tree ("Niger", "Nigeria", "Nigerien"
    become ``Niger(?:i(?:a|en))?``), which the regex engine scans several
    times faster than a flat alternation of hundreds of words. Where two
    terms match at the same place, one is a prefix of the other, and the
    greedy ``?`` tries the longer first, so the result is the same as
    trying the terms longest first.
    """
    tree = {}
    for term in terms:
        node = tree
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}  # a term ends here

    def build(node):
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(tree)


class Masker:
    """Replace the terms of a masking spec in a statement.

    Parameters
    ----------
    spec : dict, default=DEFAULT_SPEC
        ``{"version": 1, "numbers": replacement or None, "groups":
        [{"replacement": str, "terms": [str, ...]}, ...]}``. Terms match
        case-sensitively as whole words (not inside a longer word), longest
        first, so "North Korea" is masked as one country.

    Examples
    --------
    >>> from stance.masking import Masker
    >>> Masker()("Moscow said on Tuesday that 12 British diplomats were spies.")
    '_capital_ said on _weekday_ that 0 _national_ diplomats were spies.'
    """

    def __init__(self, spec=None):
        spec = DEFAULT_SPEC if spec is None else spec
        if not isinstance(spec, dict) or spec.get("version") != 1:
            raise ValueError(f"unsupported masking spec: {spec!r:.80}")
        self.spec = spec
        self._numbers = spec.get("numbers")
        self._replacements = {}
        terms = []
        for group in spec["groups"]:
            for term in group["terms"]:
                self._replacements.setdefault(term, group["replacement"])
                terms.append(term)
        # A lookahead rather than \b at the end, so that "U.S." (ending in a dot) matches.
        self._pattern = re.compile(rf"(?<!\w)(?:{_trie_pattern(terms)})(?!\w)") if terms else None

    def __call__(self, text):
        """The statement with its numbers and listed terms replaced."""
        # Terms first: some contain digits ("MI6") that must not be masked away.
        if self._pattern is not None:
            text = self._pattern.sub(lambda m: self._replacements[m.group()], text)
        if self._numbers is not None:
            text = _DIGITS.sub(self._numbers, text)
        return text

    # A stateless scikit-learn transformer, so it can be a pipeline step.
    def fit(self, X, y=None):
        """Nothing to learn; returns ``self``."""
        return self

    def transform(self, X):
        """:meth:`__call__` on each statement of a list."""
        return [self(t) for t in X]

    def get_params(self, deep=True):
        """Parameters, as scikit-learn expects."""
        return {"spec": self.spec}

    def set_params(self, **params):
        """Set parameters, as scikit-learn expects."""
        self.__init__(params.get("spec", self.spec))
        return self

    def __reduce__(self):
        # Pickle the plain spec, not compiled patterns.
        return (Masker, (self.spec,))

    def __repr__(self):
        return f"Masker(version={self.spec['version']}, terms={len(self._replacements)})"
