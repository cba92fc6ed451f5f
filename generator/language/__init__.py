"""French language toolkit shared by every stage: the one place for each kind of knowledge about French.

Language detection, sentence splitting, month and day names, stop words and fillers, stems, figures,
people's names. Other stages import these names from `generator.language`, never a submodule.
"""

from generator.language.dates import (
    MONTH_NUMBERS,
    MONTH_PATTERN,
    MONTHS,
    WEEKDAY_NUMBERS,
    WEEKDAY_PATTERN,
    WEEKDAYS,
    french_date,
)
from generator.language.detect import (
    ENGLISH_FUNCTION_WORDS,
    FRENCH_FUNCTION_WORDS,
    detect_language,
    is_french,
)
from generator.language.entities import candidate_names, fix_names, fold, unsupported_names
from generator.language.lexicon import (
    FILLERS,
    NUMBER_WORDS,
    STOPWORDS,
    content_stems,
    is_filler,
    is_stopword,
    split_words,
    stem,
    strip_accents,
)
from generator.language.numerals import Figure, figures, unsupported_figures
from generator.language.sentences import ABBREVIATIONS, split_sentences

__all__ = [
    "ABBREVIATIONS",
    "ENGLISH_FUNCTION_WORDS",
    "FILLERS",
    "FRENCH_FUNCTION_WORDS",
    "MONTHS",
    "MONTH_NUMBERS",
    "MONTH_PATTERN",
    "NUMBER_WORDS",
    "STOPWORDS",
    "WEEKDAYS",
    "WEEKDAY_NUMBERS",
    "WEEKDAY_PATTERN",
    "Figure",
    "candidate_names",
    "content_stems",
    "detect_language",
    "figures",
    "fix_names",
    "fold",
    "french_date",
    "is_filler",
    "is_french",
    "is_stopword",
    "split_sentences",
    "split_words",
    "stem",
    "strip_accents",
    "unsupported_figures",
    "unsupported_names",
]
