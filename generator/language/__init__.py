"""French language toolkit shared by every stage: word lists, stems, figures, names, language detection."""

from generator.language import lexicon
from generator.language.detect import detect_language, is_french
from generator.language.entities import candidate_names, fix_names, fold, unsupported_names
from generator.language.figures import Figure, figures, unsupported_figures

__all__ = [
    "Figure",
    "candidate_names",
    "detect_language",
    "figures",
    "fix_names",
    "fold",
    "is_french",
    "lexicon",
    "unsupported_figures",
    "unsupported_names",
]
