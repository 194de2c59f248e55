"""What a title says about a document: its type, number, sender(s), recipient(s), intermediary.

Archive titles follow a few shapes: "Cable, Mao Zedong to Comrade Filippov [Stalin]",
"Ciphered Telegram No. 58986 from Kovalev to Filippov [Stalin]", "Letter from Cde. Mao Zedong
to Cde. Filippov [Stalin] via Kovalev", "Karsky to Cde. Miklashevsky". The parts are read with a
few regular expressions; a title that fits none yields no parties (never a guess).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.run_memo import run_memo

DOC_TYPES = [
    "Memorandum of Conversation",
    "Record of Conversation",
    "Minutes of Conversation",
    "Ciphered Telegram",
    "Cable Telegram",
    "Telegram",
    "Cable",
    "Letter",
    "Memorandum",
    "Report",
    "Minutes",
    "Note",
    "Resolution",
    "Decree",
    "Directive",
    "Instructions",
    "Speech",
    "Remarks",
    "Conversation",
    "Diary",
    "Message",
    "Translation",
    "Draft",
    "Statement",
    "Transcript",
    "Protocol",
    "Order",
    "Information",
]
_TYPE = re.compile(
    r"^(?:Translation of (?:a |the )?)?(?P<type>"
    + "|".join(re.escape(t) for t in DOC_TYPES)
    + r")\b",
    re.I,
)
_NUMBER = re.compile(r"\b(?:No\.?|Number|№)\s*(?P<num>\d[\d/\-]*)", re.I)
_HONORIFIC = re.compile(
    r"^(?:(?:Cdes?\.?|Comrades?|Chairman|Governor|Governer|General|Marshal|Ambassador|Premier|"
    r"President|Minister|Consul General|Mr\.?|Mrs\.?|Dr\.?|the)\s+)+",
    re.I,
)
_SPLIT_NAMES = re.compile(r",\s*(?:and\s+)?|\s+and\s+", re.I)
# "<type...> [from] SENDER to RECIPIENT [via X]"
_FROM_TO = re.compile(
    r"(?:^|,\s*|\bfrom\s+)(?P<sender>[^,]+?(?:,\s*[^,]+?)*?)\s+to\s+(?P<recipient>.+?)"
    r"(?:\s+via\s+(?P<via>[^,]+?))?(?:,\s*(?:for|containing|conveying)\b.*)?$",
    re.I,
)


CONVERSATIONS = {
    "Memorandum of Conversation",
    "Record of Conversation",
    "Minutes of Conversation",
    "Conversation",
}
# Words after which a title stops naming parties ("..., conveying 15 July telegram").
_TAIL = re.compile(
    r"\s+(?:conveying|containing|regarding|concerning|about|on the|in reply)\b.*$", re.I
)
_ONE_SIDE = re.compile(r"^(?P<dir>from|to|of|by)\s+(?P<who>[^,]+?)(?:\s+in\s+[A-Z][\w'’]+)?$", re.I)


@dataclass(frozen=True)
class TitleFacts:
    doc_type: str | None
    number: str | None
    senders: tuple[str, ...]
    recipients: tuple[str, ...]
    via: tuple[str, ...]


def _clean_party(text: str) -> str:
    text = text.strip().strip(",;:").strip()
    text = _HONORIFIC.sub("", text).strip()
    return text


_OFFICE = re.compile(r"\b(?:Ambassador|Embassy|Consul(?:ate)?|Representative|Mission|Legation)\b")


def _names(text: str | None) -> tuple[str, ...]:
    """Names in a list ("Stalin, Molotov, and Voroshilov"); the place after an office
    ("the Soviet Ambassador, Pyongyang") is where the office sits, not another person."""
    if not text:
        return ()
    names: list[str] = []
    for part in (_clean_party(p) for p in _SPLIT_NAMES.split(text)):
        if len(part) <= 1 or part[0].islower() or part[0].isdigit():
            continue
        if names and _OFFICE.search(names[-1]) and " " not in part:
            continue
        names.append(part)
    return tuple(names)


# Compiled once: parse_title runs for every distinct title of a run (14,000 at archive scale).
_WITH_MESSAGE = re.compile(r"^\s*(?:with message\s+)?", re.I)
_FROM_CITY = re.compile(r"\bfrom\s+(?:Beijing|Moscow|Peking|Pyongyang|Urumchi|Urumqi)\s*,\s*", re.I)
_FROM_OF = re.compile(r"^(?:from|of)\s+", re.I)
_MESSAGE_FROM = re.compile(r"^(?:message|a message)\s+from\s+", re.I)


@run_memo  # for one run: resolve() clears it (and hands its answers on)
def parse_title(title: str | None) -> TitleFacts:
    """Type, number and parties printed in a title."""
    if not title:
        return TitleFacts(None, None, (), (), ())
    text = " ".join(title.replace("\u00a0", " ").split())
    m_type = _TYPE.match(text)
    doc_type = m_type.group("type").title() if m_type else None
    if doc_type:
        doc_type = next(t for t in DOC_TYPES if t.lower() == doc_type.lower())
    m_num = _NUMBER.search(text)
    number = m_num.group("num") if m_num else None
    rest = text
    if m_type:
        rest = text[m_type.end() :]
    rest = _NUMBER.sub("", rest, count=1) if m_num else rest
    rest = _WITH_MESSAGE.sub("", rest)
    rest = _FROM_CITY.sub("from ", rest)
    rest = rest.strip().lstrip(",").strip()
    rest = _TAIL.split(rest, maxsplit=1)[0].strip()
    if doc_type in CONVERSATIONS:
        return TitleFacts(doc_type, number, (), (), ())
    m = _FROM_TO.search(rest)
    if not m:
        only = _ONE_SIDE.match(rest)
        if not only:
            return TitleFacts(doc_type, number, (), (), ())
        names = _names(only.group("who"))
        if only.group("dir").lower() == "to":
            return TitleFacts(doc_type, number, (), names, ())
        return TitleFacts(doc_type, number, names, (), ())
    sender = _FROM_OF.sub("", m.group("sender").strip())
    sender = _MESSAGE_FROM.sub("", sender)
    return TitleFacts(
        doc_type,
        number,
        _names(sender),
        _names(m.group("recipient")),
        _names(m.group("via")),
    )


def parties_of(title: str | None) -> tuple[str | None, str | None]:
    """(senders, recipients) as canonical-person keys, for never-merge checks."""
    from pipeline.dedup.people import canonical_person

    facts = parse_title(title)
    if not facts.senders and not facts.recipients:
        return (None, None)

    def key(names: tuple[str, ...]) -> str | None:
        return "|".join(sorted(canonical_person(n).lower() for n in names)) or None

    return key(facts.senders), key(facts.recipients)
