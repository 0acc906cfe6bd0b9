"""A small grammar of danger: who (I / she / my partner), a wish or intent, and what about (dying, not
living, being gone, hurting oneself, being hurt), with the words that change it ("anymore", "tonight",
"on the oven"). New phrasings of the same idea need no new list entry.

The rules read the words as `screening.tokens` gives them, joined by single spaces after a few
contractions are spelled out (`canonical`). Each rule is a regular expression over that line, so it is
auditable in one place and costs one pass per rule, whatever the length of the message.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from bot.safety.languages import LANGUAGE_RULES
from bot.safety.memo import Memo

# Spelled-out contractions and chat spellings, so one rule covers "im", "i'm", "I am".
_EXPAND = {
    "i'm": "i am", "im": "i am", "i've": "i have", "ive": "i have", "i'd": "i would", "id": "i would",
    "i'll": "i will", "wanna": "want to", "gonna": "going to", "gotta": "got to", "tryna": "trying to",
    "u": "you", "ur": "your", "r": "are", "cuz": "because", "bc": "because", "coz": "because",
    "don't": "dont", "can't": "cant", "won't": "wont", "didn't": "didnt", "isn't": "isnt", "doesn't": "doesnt",
    "wouldn't": "wouldnt", "shouldn't": "shouldnt", "couldn't": "couldnt", "wasn't": "wasnt",
    "weren't": "werent", "ain't": "aint", "she's": "she is", "he's": "he is", "they're": "they are",
    "it's": "it is", "its": "it is", "what's": "what is", "whats": "what is", "there's": "there is",
    "theres": "there is", "that's": "that is", "thats": "that is", "everyone's": "everyone is",
    "she'll": "she will", "he'll": "he will", "they'll": "they will", "she'd": "she would",
    "he'd": "he would", "they'd": "they would", "i’m": "i am", "idk": "i do not know", "rn": "right now",
    "tmrw": "tomorrow", "tn": "tonight", "2nite": "tonight", "tonite": "tonight", "n": "and", "ppl": "people",
    "bf": "boyfriend", "gf": "girlfriend", "hubby": "husband", "mum": "mom", "mama": "mom", "dad's": "dad is",
    "pls": "please", "plz": "please", "abt": "about", "sm": "so much", "rly": "really", "w": "with",
    "thru": "through", "ok": "okay", "myslef": "myself", "mysefl": "myself", "od'd": "overdosed",
    "oded": "overdosed", "sh'd": "self harmed", "shd": "self harmed",
    "everyone'd": "everyone would", "we'd": "we would", "you'd": "you would",
    # dropped g's and common slips of chat
    "bout": "about", "thinkn": "thinking", "thinkin": "thinking", "killin": "killing", "tryin": "trying",
    "goin": "going", "nothin": "nothing", "cuttin": "cutting", "burnin": "burning", "livin": "living",
    "teh": "the", "wiht": "with", "agian": "again", "resaon": "reason", "reasn": "reason", "piont": "point",
    "burnd": "burned", "livng": "living", "q": "que", "wnt": "want", "wnna": "want to",
    "wana": "want to", "gna": "going to", "gunna": "going to", "gona": "going to", "jmp": "jump",
    "brige": "bridge", "bridg": "bridge",
}

NEG = r"(?:dont|do not|didnt|did not|cant|cannot|can not|wont|will not|never|not|no longer|doesnt|does not|" \
      r"wouldnt|would not|aint|no)"
SELF = r"(?:i|me|myself)"
_RELATION = (r"(?:friend|best friend|bestie|sister|brother|sis|bro|mom|dad|mother|father|partner|son|daughter|"
             r"kid|child|colleague|coworker|co worker|roommate|flatmate|housemate|cousin|boyfriend|girlfriend|"
             r"wife|husband|fiance|fiancee|ex|aunt|aunty|auntie|uncle|niece|nephew|grandma|grandpa|teammate|classmate|"
             r"student|client|neighbour|neighbor|mate|buddy|pal|stepdad|stepmom|stepfather|stepmother)")
OTHER = rf"(?:she|he|they|my {_RELATION}s?|my (?:\S+ )?{_RELATION}s?|a {_RELATION}|someone i know|someone)"
# The people someone lives with or depends on at home, as "my …" names them.
_HOUSEHOLD = (r"partner|husband|wife|boyfriend|girlfriend|dad|father|mom|mother|stepdad|stepmom|stepfather|"
              r"stepmother|brother|sister|ex|roommate|flatmate|uncle|aunt|son|daughter|parents|fiance|fiancee|grandpa|"
              r"grandma|cousin|carer|landlord")
ABUSER = rf"(?:he|she|they|my (?:\S+ )?(?:(?:{_HOUSEHOLD})s?|family))"
# Who "controls" in the control-and-fear rule: a partner or a parent, not a flatmate or a landlord (a flatmate
# reading messages is a boundary story, not a danger sign).
CONTROLLER = (r"(?:he|she|they|my (?:\S+ )?(?:partner|husband|wife|boyfriend|girlfriend|dad|father|mom|mother|"
              r"stepdad|stepmom|stepfather|stepmother|ex|parents|fiance|fiancee|carer))")
DESIRE = (r"(?:want(?:ed)? to|wish(?:ed)? (?:i could|to|i would|i was able to)|going to|plan(?:ning)? (?:to|on)|"
          r"ready to|about to|thinking (?:about|of)|think about|thought about|considering|tempted to|"
          r"urges? to|need to|will|would rather|rather|could just|should just|might just|might|"
          r"may as well|might as well|deserve to|decided to|trying to|try to|intend to|hoping to|"
          r"long to|feel like|want|wish)")
STRONG_DEATH = (r"(?:die|be dead|kill myself|killing myself|kms|end my (?:own )?life|ending my (?:own )?life|"
                r"take my (?:own )?life|end it all|ending it all|unalive(?: myself)?|off myself|hang myself|"
                r"overdose|od|jump off (?:a|the) (?:bridge|building|roof|cliff)|suicide|commit suicide|"
                r"shoot myself|not wake up|never wake up|"
                r"(?:top|topping|neck|necking) myself(?! (?:up|off|out|with|on))|"
                r"(?:do|doing) myself in(?! (?:the|a|this|that|my|at|with) ))")
SOFT_DEATH = (r"(?:end (?:it|things|everything|this|myself)|ending (?:it|things|everything)|"
              r"disappear(?: forever| for good| permanently)?|vanish(?: forever| for good)?|cease to exist|"
              r"stop existing|not exist|stop living|stop breathing|be gone(?: forever| for good)?|"
              r"go to sleep (?:forever|and not wake up|and never wake up)|sleep forever|"
              r"fall asleep and (?:not|never) wake up|not be (?:here|around|alive)(?: anymore)?|"
              r"jump (?:off|from|in front)|throw myself (?:off|in front|under)|take (?:all )?(?:my|the|these|"
              r"those) (?:pills|meds|tablets)|swallow (?:all|the|my) (?:pills|meds|tablets)|"
              r"drive (?:my car )?(?:into|off)|crash my car|step in front of|walk into (?:traffic|the sea)|"
              r"give up on (?:life|living|everything)|check out (?:for good|permanently)|leave this (?:world|earth)|"
              r"hurt myself|harm myself|cut myself|self harm|cut again|hang(?! (?:the|a|up|out|some|new|pictures|"
              r"curtains|shelves|shelving|lights|washing|laundry|decorations|with|around|on|in there|tight|loose)\b))")
_NOT_IDIOM = r"(?! than| on (?:this|that) hill| (?:of|from) (?:embarrassment|shame|cringe|laughter|laughing|" \
             r"boredom|happiness|" \
             r"cuteness|hunger|" \
             r"thirst|curiosity|envy|jealousy)| laughing| lol| lmao| haha| out| with| around| up)"
LIFE_STRONG = r"(?:live|be alive|exist|wake up(?= tomorrow| anymore| again|$| in the morning))"
LIFE_SOFT = (r"(?:go on|keep going|carry on|continue|be here|be around|do this|keep living|keep trying|"
             r"be a person|be me|be human|be alive|"
             r"try anymore|see tomorrow|be in this world|exist|live like this)")
_MORE = r"(?: anymore| any more| like this| much longer| for much longer| forever| at all)"
_ACCIDENT = re.compile(
    r"\b(?:shaving|shave|razor blade changing|cooking|oven|stove|hob|pan|kettle|iron|curling|straightener|"
    r"accident|accidentally|by mistake|chopping|slipped|fell|tripped|football|soccer|rugby|hockey|gym|"
    r"workout|training|practice|sport|playing|door|cupboard|cabinet|corner|table|desk|bed frame|paper cut|"
    r"sunburn|sun|garden|gardening|bike|climbing|hiking|skating|soldering|glue gun|candle wax|bbq|grill|"
    r"baking|tray|dog|cat|kitten|puppy|tattoo|piercing|dentist|jab|vaccine|washing up|dishes|"
    r"broken glass|a glass|tin|can opener|stapler|box cutter|opening a|unboxing|straighteners|hammer|steam|lid|"
    r"putting up|diy|drill|saw|nail|nails|kitchen|knife block|mandoline|grater|peeler)\b|"
    # an object it happened on: "burned my leg on the scooter exhaust", "scratched my arm on the brambles" (not a
    # wall or the floor: "banged my head on the wall" is how hurting oneself is often told)
    r"\bmy (?:\S+ )?(?:arm|arms|leg|legs|hand|hands|finger|fingers|fingertip|thumb|head|knee|knees|shin|shins|foot|"
    r"feet|toe|toes|elbow|elbows|wrist|ankle|face|forehead|hip|back) on (?:the|a|an|some|our|that|this) "
    r"(?!(?:\S+ )?(?:wall|walls|floor|floors|ground|mirror|window)\b)")
# An injury that happened on a thing ("burned my wrist on the oven rack again"), unless something says it was meant.
_MEANT = (r"on purpos\w*|to feel|to punish|deserved?|because i|at myself|hate myself|until|till|so hard|"
          r"not an accident|(?:wasnt|was not|isnt|is not) (?:an )?accident|i held|held it|kept it there|calm|relief|"
          r"to cope|numb|the pain|needed to|wanted to|made myself|urges?")
_ON_A_THING = (rf"(?!on (?:the|a|an|some|our|that|this|my) (?!(?:\S+ )?(?:wall|walls|floor|floors|ground|mirror|"
               rf"window)\b)(?!.{{0,120}}\b(?:{_MEANT})\b))")
_INTENT = re.compile(
    r"\b(?:again|until|till|til|on purpose|to feel|punish|deserve|because i|every time|every night|urges?|"
    r"instead(?! of| now)|"
    r"relapse[ds]?|can not stop|cant stop|made it bleed|make it bleed|bleed|bruises?|scars?|marks?|"
    r"numb|the pain|calm down|to cope|coping|at myself|hate myself|so (?:no one|nobody) (?:saw|sees|would see|"
    r"could see|notices|noticed)|to see (?:if i can|how long))\b")
_HYPERBOLE = re.compile(r"\b(?:(?:this|that|these|those) (?!(?:guy|man|woman|person|bloke|dude|girl|boy|kid|lady|ex|"
                        r"one|family|lot|gang|crowd|neighbou?r|landlord|people|men|lads|bitch|bastard|psycho|cop|"
                        r"officer|teacher|dad|mum|mom|he|she|they|you|u|i|we|him|her|them|man s|"
                        r"guy s)\b)\S+ (?:(?!he |she |they |you )\S+ ){0,2}(?:is|are|will|was|"
                        r"would) (?:\S+ ){0,2}(?:kill|murder|be the death of) me|(?:this|that|the|my) (?:deadline|"
                        r"meeting|exam|exams|heat|commute|traffic|week|job|project|workload|hangover|cold|flu|"
                        r"course|class|homework|assignment|essay|report|presentation|shift|rota|schedule|workout|"
                        r"hill|race|boss|manager|teacher|coach|professor|prof|supervisor|lecturer|tutor|editor|"
                        r"trainer|team lead) (?:\S+ ){0,2}(?:is|are|will|was|would) (?:\S+ ){0,2}(?:kill|murder|"
                        r"be the death of) me|so good|lol|lmao|haha+|hahaha|jk|joking|kidding|rofl|when (?:she|he|"
                        r"they) (?:sees?|finds? out|hears?|notices?)|if i am late|if i forget|for (?:being|"
                        r"forgetting|breaking|losing|eating|missing)|my (?:grades|report card|score)|laughing emoji|"
                        r"(?:kill|murder|strangle) me (?:\S+ ){0,2}(?:if i (?!tell|told|leave|left|go|went|do not|"
                        r"dont|did not|didnt|will not|wont|call|report|say|said|speak|talk|come|stay|run|try|ever|"
                        r"even|see|move|dump|ask)|i (?:dyed|spilled|spilt|tracked|broke|forgot|lost|ate|crashed|"
                        r"scratched|dented|missed|burnt|burned|wore|borrowed|failed|flunked|ruined|shrunk|stained|"
                        r"painted|drank|finished|used up)))\b")


# A wish to die that only stands for "this is unbearable" about something trivial: "i'm going to die if this
# meeting runs over", "i'd rather jump off a cliff than attend another pta meeting".
_TRIVIAL = re.compile(r"\bdie if (?:i (?:have|hear|see|get|sit|listen|do|read|write)|this|that|one more|another|"
                      r"the (?:meeting|class|wifi|printer|alarm|queue|line|train|bus|music|noise))\b|\brather "
                      r"(?:\S+ ){1,6}than (?:attend|sit|go to|do|listen|watch|write|read|another|one more|have to|"
                      r"deal with|work)\b")
# The same, said of something plainly small, for every layer (a phrase too): "i'll literally die if my crush finds
# my old channel", "so full after lunch i might actually die", "if i have to sit through one more fire drill".
_SMALL_CAUSE = re.compile(r"\bdie if my (?:\S+ )?(?:crush|mum|mom|dad|boss|teacher|friends?|sister|brother|parents|"
                          r"flatmate|roommate|class) (?:ever )?(?:finds?|sees?|reads?|hears?|looks?|watches?)\b|"
                          r"\b(?:so|too) (?:full|stuffed|embarrassed) (?:\S+ ){0,4}i (?:\S+ ){0,2}die\b|\bif i "
                          r"(?:have to|gotta|need to|must) (?:\S+ ){0,6}(?:one more|another) (?:\S+ ){0,8}die\b|"
                          r"\b(?:one more time|again) i (?:will|ll) (?:literally |actually )?die\b|\bi (?:will|ll) "
                          r"literally die if\b")
_TRIVIAL = re.compile(f"{_TRIVIAL.pattern}|{_SMALL_CAUSE.pattern}")


def trivial(line: str) -> bool:
    """A wish to die that only says something plainly small is unbearable."""
    return bool(_SMALL_CAUSE.search(line))


# A question asked for a quiz, not for a plan: "what's the tallest building in mexico city? it's for trivia night".
# A denial inside the words a self-harm rule read: "i would never hurt myself" ("can't stop" is no denial).
_DENIED_INSIDE = re.compile(r"^(?:i |to )?(?:\S+ ){0,1}(?:never|not|dont|do not|didnt|did not|wont|will not|wouldnt|"
                            r"would not|havent|have not|hasnt|has not) ")
_ZERO = re.compile(r"\bzero (?:\S+ )?$")  # "zero self harm urges" (but "zero will to live" is hopelessness itself)
_QUIZ = re.compile(r"\b(?:trivia|pub quiz|quiz night|quiz|crossword|geography homework|geography class|pub argument|"
                   r"settl(?:e|ing|ed) (?:a |an |the )?(?:pub |family |group chat )?(?:argument|debate|bet|dispute)|"
                   r"for a bet|(?:won|lost|win|lose) (?:a |the )?bet)\b")
# A story the writer is making ("writing the chapter where my villain...", "my band's new single is called"): a means
# or a death in it is the story's.
_WRITING = re.compile(r"\b(?:my|our) (?:novel|book|ghost story|short story|screenplay|script|chapter|villain|"
                      r"villains|protagonist|antagonist|heroine|plot|manuscript|wip|fic|fanfic|fanfiction|poem|"
                      r"lyrics|band|podcast|campaign|dnd|murder mystery|comic|zine|novella|thriller|crime novel|"
                      r"mystery novel|horror novel|screenwriting|writing)\b|\bwriting (?:the|a|my|this|"
                      r"that) (?:chapter|scene|story|book|novel|script|screenplay|episode|villain|death scene|"
                      r"murder)|\bdrafting (?:a|the|my|this) (?:scene|chapter|story|script)|\bwriting group\b|"
                      r"\bnew chapter of\b|\bscreenplay\b|\b(?:single|song|track|album|book|episode|film|play|poem|"
                      r"zine|novel) (?:\S+ ){0,2}(?:called|titled|named)\b")
# What a rope, a hook or a height is for, told with the question: "what rope for a tyre swing".
_FOR_A_THING = re.compile(r"\b(?:for|to hang|to put up|to hold) (?:a |an |the |my |our |"
                          r"some )?(?:\S+ )?(?:tyre swing|tire swing|swing|swing chair|hammock|hanging plant|"
                          r"plants?|bike|bikes|punching bag|boxing bag|pull up bar|shelf|shelves|mirror|picture|"
                          r"frame|tv|curtains?|light|chandelier|boat|tent|tarp|climbing|washing line|clothesline|"
                          r"tow|towing|pulley|bird feeder|fairy lights|macrame|rock climbing|sailing|camping)\b|"
                          r"\b(?:rope|tyre|tire) swing\b")


def made_up(line: str) -> bool:
    """A story, a song or a script the writer is making, named in the line, and no question of how much would
    kill ("how many pills would it take, it's for my novel" is still asked about)."""
    return bool(_WRITING.search(line)) and not _HOW_LETHAL.search(line)


_HOW_LETHAL = re.compile(r"\b(?:how (?:many|much|long|would|do|does|could|can|to|fast|quickly)|lethal|fatal|"
                         r"painless|enough|would it take|does it take|survive|survivable|method|without being|"
                         r"undetect\w*|looks? like an accident|what (?:dose|amount)|which (?:pills|meds|drug|"
                         r"poison))\b")


# A means question about a pet's or a child's safety: "how much chocolate is a toxic dose for a 30kg labrador".
_FOR_A_PET = re.compile(r"\b(?:for|is|to|in) (?:a|an|my|our|the) (?:\d+ ?kg )?(?:\S+ )?(?:dog|dogs|cat|cats|puppy|"
                        r"kitten|labrador|lab|terrier|spaniel|collie|pet|hamster|rabbit|toddler|baby|child|kid|kids|"
                        r"son|daughter)\b|\b(?:dog|cat|puppy|kitten|toddler|baby) (?:has |just |s )?(?:eaten|ate|"
                        r"swallowed|licked|drank|got into)\b")


def asked_for_a_thing(line: str) -> bool:
    """A means question asked for a quiz, a bet, a thing to hang, or a pet's or a child's safety."""
    return bool(_QUIZ.search(line) or _FOR_A_THING.search(line) or _FOR_A_PET.search(line))


_NEGATED = re.compile(rf"\b(?:{NEG}|nao|nunca|jamais|jamas|pas|nicht|nie|niemals|niet|nooit|geen|kein|"
                      rf"keine) (?:\S+ )?(?:really )?$")


class LazyPattern:
    """A rule's regular expression, compiled by Python's engine the first time a line is searched with it. RE2's
    sets find which rules can match a line, so most rules are never searched by Python at all; compiling all of
    them when the module loads took most of the screen's start-up."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return self._compiled

    def search(self, line: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.search(line, pos, endpos)

    @property
    def groupindex(self) -> Mapping[str, int]:
        return self.compiled.groupindex


@dataclass(frozen=True)
class GrammarRule:
    name: str
    category: str
    level: str  # "clear" or "possible"
    about: str  # "self", "someone_else" or "harm_from_others"
    pattern: LazyPattern
    needs_intent: bool = False  # hurting oneself: clear only with a sign it was meant; an accident silences it
    hyperbole_silences: bool = False


def _rule(name: str, category: str, level: str, about: str, pattern: str, **flags: bool) -> GrammarRule:
    return GrammarRule(name, category, level, about, LazyPattern(pattern), **flags)


_SH_VERB = (r"(?:burn(?:ing|ed|t|s)?|hit(?:ting|s)?|punch(?:ing|ed|es)?|scratch(?:ing|ed|es)?|bit(?:e|ing|es)?|"
            r"carv(?:e|ing|ed)|stab(?:bing|bed|s)?|cut(?:ting|s)?|hurt(?:ing|s)?|harm(?:ing|ed|s)?|"
            r"starv(?:e|ing|ed)|bang(?:ing|ed|s)?|slam(?:ming|med|s)?|pinch(?:ing|ed|es)?|claw(?:ing|ed|s)?|"
            r"pick(?:ing|ed)? at|pull(?:ing|ed)? out|bruis(?:e|ing|ed)|punish(?:ing|ed|es)?|whip(?:ping|ped)?|"
            r"smash(?:ing|ed)?|slash(?:ing|ed)?|sc(?:a|o)rch(?:ing|ed)?|strangl(?:e|ing|ed)|choke?(?:ing|d)?)")
_BODY = (r"(?:myself|my self|me|my (?:own )?(?:arm|arms|wrist|wrists|leg|legs|thigh|thighs|skin|stomach|belly|hip|"
         r"hips|head|face|hand|hands|chest|body|shoulder|shoulders|ankle|ankles|forearm|forearms|fist|fists))")
_HARM_VERB = (r"(?:hits|hit|hitting|beats|beat|beating|hurts|hurt|hurting|slaps|slapped|slapping|kicks|kicked|"
              r"kicking|punches|punched|punching|chokes|choked|choking|strangles|strangled|strangling|shoves|"
              r"shoved|pushes|pushed|grabs|grabbed|throws|threw|threatens|threatened|threatening|rapes|raped|"
              r"abuses|abused|abusing|attacks|attacked|bruised|burned|burnt|locks|locked|spits on|spat on|"
              r"drags|dragged|pins|pinned|smacks|smacked|whips|whipped|molests|molested)")

RULES: tuple[GrammarRule, ...] = (
    # --- the writer's own wish to die or not to live
    _rule("want to die", "intent", "clear", "self",
          rf"(?:^|\b{SELF} (?:\S+ ){{0,3}}|\bjust |\breally |\bso |\bhonestly )(?P<d>{DESIRE}) (?:\S+ ){{0,2}}"
          rf"{STRONG_DEATH}\b{_NOT_IDIOM}"),
    _rule("want to be gone", "intent", "possible", "self",
          rf"(?:^|\b{SELF} (?:\S+ ){{0,3}}|\bjust |\breally |\bso |\bhonestly )(?P<d>{DESIRE}) (?:\S+ ){{0,2}}"
          rf"{SOFT_DEATH}\b{_NOT_IDIOM}"),
    _rule("not want to live", "intent", "clear", "self",
          rf"\b{NEG} (?:\S+ ){{0,1}}(?:want to|wish to|feel like|care to|plan to|intend to|want|wanna) "
          rf"(?:\S+ ){{0,1}}{LIFE_STRONG}\b"),
    _rule("not want to go on", "hopelessness", "possible", "self",
          rf"\b{NEG} (?:\S+ ){{0,1}}(?:want to|wish to|feel like|see how i can|know how to|know if i can|"
          rf"think i can|have it in me to|have the strength to|want) (?:\S+ ){{0,1}}{LIFE_SOFT}{_MORE}"),
    _rule("cannot go on", "hopelessness", "possible", "self",
          rf"(?<!back )(?<!knees )(?<!feet )(?<!body )(?<!wallet )(?<!budget )(?<!stomach )(?<!laptop )"
          rf"(?<!phone )(?<!car )\b(?:cant|cannot|can not|unable to) (?:go on|keep going|carry on|do this|"
          rf"keep doing this|"
          rf"take (?:it|this|much more|any more|anymore)|live like this|keep living|cope(?! with (?!(?:life|anything|"
          rf"any of (?:it|this)|everything|myself|being|living|it all|existing|this life)\b))){_MORE}?\b"
          rf"(?! at work| with (?:this|my) (?:job|boss|meeting))"),
    _rule("no point in living", "hopelessness", "possible", "self",
          r"\b(?:what is|where is|see) (?:even )?the point (?:of|in|to) (?:\S+ ){0,2}(?:living|life|going on|"
          r"being (?:here|alive)|waking up|wake up|anything|existing|exist|trying|carrying on|me|it all|"
          r"any of (?:it|this)|keep going|keeping going|staying|continuing|getting up)\b"),
    _rule("no reason to live", "hopelessness", "possible", "self",
          r"\b(?:no|any|zero|nothing) (?:\S+ ){0,1}(?:point|reason|reasons|purpose) (?:in |to |for |of )?"
          r"(?:\S+ ){0,1}(?:living|live|going on|be(?:ing)? (?:here|alive|around)|wak(?:e|ing) up|exist(?:ing)?|"
          r"keep(?:ing)? going|carry(?:ing)? on|stay(?:ing)?|me being here)\b|\b(?:no|zero) (?:\S+ ){0,1}(?:will|"
          r"desire|wish|want) (?:to )?(?:\S+ ){0,1}(?:live|living|go on|going on|be alive|exist|existing|keep going|"
          r"carry on|wake up)\b"),
    _rule("point of going on", "hopelessness", "possible", "self",
          r"\bthe point (?:of|in) (?:\S+ ){0,1}(?:going on|living|being alive|existing|waking up)\b"),
    _rule("life not worth living", "hopelessness", "possible", "self",
          r"\b(?:life|living|my life|existing|being alive|it all)(?: \S+){0,4} (?:not|isnt|aint|no longer|"
          r"stopped being|stopped feeling|has stopped being|hasnt been|never|nothing) (?:\S+ ){0,2}worth "
          r"(?:it|living|anything|the effort|the pain|fighting for)\b"),
    _rule("nothing to live for", "hopelessness", "possible", "self",
          r"\b(?:nothing|no one|nobody|noone) (?:left )?to live for\b"),
    _rule("tired of living", "hopelessness", "possible", "self",
          r"\b(?:tired|exhausted|sick|done|weary) (?:of|with) (?:living|being alive|existing|life|my life|"
          r"waking up|being here|everything and everyone|being me|this life|breathing)\b"),
    _rule("no way out", "hopelessness", "possible", "self",
          r"\b(?:no way out|no way forward|no future for me|dont see a future|do not see a future|"
          r"cant see a future|cannot see a future|dont see any future|see no future|no light at the end|"
          r"no hope left|lost all hope|there is no hope|no hope for me|hopeless)\b"),
    _rule("why am i alive", "hopelessness", "possible", "self",
          r"\bwhy (?:am i|should i|do i|would i|bother) (?:even |still |keep )?(?:alive|here|exist|"
          r"existing|bother living|keep going|go on|wake up|living|trying|breathing|stay|staying)\b"),
    _rule("want it to end", "hopelessness", "possible", "self",
          r"\b(?:want|wish|need) (?:for )?(?:it all|everything|it|the pain|this pain|all of it|this life|life|"
          r"my life|all this) (?:to )?(?:\S+ ){0,1}(?:end|stop|be over)(?: forever| for good| permanently|$)"),
    _rule("give up on life", "hopelessness", "possible", "self",
          r"\b(?:giving|given|give|gave) up on (?:life|living|everything|myself|being alive)\b"),
    # --- a burden, better gone
    _rule("better off without me", "burden", "possible", "self",
          r"\b(?:better|lighter|easier|happier|calmer|fine|okay|freer|simpler|relieved)(?: off| of)? (?:\S+ ){0,2}"
          r"(?:without me|if i (?:was|were|wasnt|werent|was not|were not|didnt|did not|disappeared|died|"
          r"left|had never|never|am gone|was gone|were gone|was dead|just (?:vanished|disappeared|went away)))\b"),
    _rule("i am a burden", "burden", "possible", "self",
          r"\b(?:i am|i feel like|i feel|feel like|i have become|i have been|ive become|being) (?:just |such |only |"
          r"nothing but |really |so |a |an |the |totally |completely |always )*(?:burden|dead weight|"
          r"waste of (?:space|air|oxygen|life|skin)|drain on (?:everyone|everybody|my family|them)|"
          r"problem for everyone|weight on everyone)\b"),
    _rule("burden to everyone", "burden", "possible", "self",
          r"\b(?:burden|dead weight|waste of space) (?:to|for|on) (?:everyone|everybody|my family|my friends|"
          r"them|the people|all|my kids|my parents|my partner)\b"),
    _rule("nobody would miss me", "burden", "possible", "self",
          r"\b(?:no one|nobody|noone|not a single person|none of them|no body) (?:\S+ ){0,1}(?:would|will|is going to|"
          r"even) (?:\S+ ){0,1}(?:miss me|notice (?:if|when) i|care (?:if|when) i|notice i am gone|miss me)\b"),
    # --- wishing not to exist
    _rule("wish i was never born", "wish_not_exist", "possible", "self",
          r"\b(?:wish|wishing|if only) (?:that )?(?:i|me) (?:was|were|had|would|could|am|have)? ?(?:just )?"
          r"(?:never (?:been born|born|existed|woken up|wake up)|not (?:born|alive|here|exist|existing)|"
          r"dead|gone|disappear|vanish|stop existing|cease to exist|cease|not wake up|fall asleep forever|"
          r"be (?:dead|gone|erased|nothing)|erase myself|never existed|didnt exist|did not exist)\b"),
    _rule("never asked to be born", "wish_not_exist", "possible", "self",
          r"\b(?:never asked to be born|should not have been born|shouldnt have been born|should never have been "
          r"born|wish i had never been born|regret being born|hate being alive|hate that i am alive|"
          r"hate existing|hate my existence)\b"),
    _rule("want out", "wish_not_exist", "possible", "self",
          r"\b(?:want|need|wanting) out(?: of (?:life|everything|this life|existence|this world|all of this|"
          r"it all|here))?(?:$| for good| forever| of (?:life|everything|existence))"),
    _rule("cease to exist", "wish_not_exist", "possible", "self",
          r"\b(?:cease to exist|ceasing to exist|stop existing|not to exist|non existence|nonexistence|"
          r"to not exist|to not be here|to not be alive|never wake up again|not waking up|to just vanish|"
          r"to just disappear|disappear forever|disappear for good|vanish forever|be erased|fade away forever)\b"),
    # --- farewells and affairs in order
    _rule("notes for everyone", "farewell", "possible", "self",
          r"\b(?:left|leaving|wrote|written|writing|write|finished|prepared) (?:\S+ ){0,2}(?:notes?|letters?|"
          r"goodbyes?|goodbye (?:notes?|letters?|messages?)) (?:for|to) (?:everyone|everybody|my|you|them|all|"
          r"each|the people)\b"),
    _rule("when i am gone", "farewell", "possible", "self",
          r"\b(?:when|after|once|if|for when) i am (?:gone|not here|no longer here|not around|dead)\b"),
    _rule("look after them for me", "farewell", "possible", "self",
          r"\b(?:take care of|look after|feed) (?:my \S+|them|him|her) (?:for me )?(?:when|after|once) i\b"),
    _rule("last goodbye", "farewell", "possible", "self",
          r"\b(?:this is|it is|here is|writing) (?:my )?(?:last|final) (?:goodbye|message|post|words|note|"
          r"time (?:you will|youll|you) (?:hear|see))\b|\bgoodbye (?:everyone|everybody|world|forever|for good|"
          r"all of you|cruel world)\b|\b(?:this is|its|it is) goodbye\b"),
    _rule("thank you for trying", "farewell", "possible", "self",
          r"\bthank (?:you|u) (?:all )?for (?:trying|everything|being my friend|putting up with me|"
          r"all you did|all you have done)\b(?:.{0,160}\b(?:goodbye|bye|forever|last|gone|sorry|tried|love you all))"),
    _rule("giving things away", "farewell", "possible", "self",
          r"\b(?:given|giving|gave|give) (?:away )?(?:all |most of )?(?:my|all my) (?:things|stuff|belongings|"
          r"possessions|clothes|books|games|guitar|records) (?:away|to)\b|\b(?:given|giving|gave) away "
          r"(?:all |most of )?(?:my|all my) (?:things|stuff|belongings|possessions)\b"),
    _rule("affairs in order", "farewell", "possible", "self",
          r"\b(?:put|putting|got|getting|sorted|sorting) (?:all )?my (?:affairs|things|stuff|papers) in order\b|"
          r"\b(?:updated|wrote|writing|made|making) (?:out )?my will\b(?! to| for the)|"
          r"\bwont be (?:around|here|alive) (?:much longer|tomorrow|for long|anymore|by|next)\b|"
          r"\b(?:see you|meet you) (?:on the other side|in (?:another|the next) life)\b|"
          r"\b(?:sorry|forgive me) for what i am (?:about to|going to) do\b"),
    # --- asking about means
    _rule("how many would it take", "means", "possible", "self",
          r"\bhow (?:many|much) (?:\S+ ){0,5}(?:would it take|does it take|will it take|it takes to|it would take|"
          r"to (?:die|kill|od|overdose|end it|not wake up|stop breathing|be fatal|be lethal|shut down)|"
          r"is (?:lethal|fatal|deadly|too much to survive|enough to die|enough to kill|a lethal)|before "
          r"(?:it is|you|i|a person|someone) (?:\S+ ){0,1}(?:lethal|fatal|die|dead|od|overdose)|"
          r"(?:kills|would kill|could kill|will kill) (?:you|a person|someone|me|an adult))\b"),
    _rule("lethal dose", "means", "possible", "self",
          r"\b(?:lethal|fatal|deadly|toxic|killing|overdose) (?:dose|amount|quantity|level|limit)\b"),
    _rule("tallest bridge", "means", "possible", "self",
          r"\b(?:tallest|highest|high enough|tall enough) (?:\S+ ){0,2}(?:bridge|building|garage|parking|car park|"
          r"cliff|roof|rooftop|tower|structure|overpass|balcony|floor)s?\b(?:.{0,160}\b(?:near|around|in (?:my|this|"
          r"our|town|the city)|close|here|nearby|local|town|city|area|can i|to jump|fall|access|get to|reach|"
          r"open to the public|unlocked))|\bwhich (?:\S+ ){0,1}(?:bridge|building|garage|parking garage|car park|"
          r"cliff|tower|roof) (?:is|has) (?:the )?(?:tallest|highest|biggest drop)\b"),
    _rule("can you die from", "means", "possible", "self",
          r"\bcan (?:you|a person|someone|people|i|one|humans|an adult) (?:\S+ ){0,1}(?:die|be killed|not survive|"
          r"survive) (?:from|of|if|after|by|when|falling|jumping|drinking|taking|eating|a fall)\b"),
    _rule("fall of five floors", "means", "possible", "self",
          r"\b(?:fall|jump|drop) (?:of|from) (?:\S+ ){0,2}(?:floors|stories|storeys|meters|metres|feet|ft|m|"
          r"story|storey)\b"),
    _rule("how long to die", "means", "possible", "self",
          r"\bhow long (?:does it|would it|will it|to|does|would|will|it takes?) (?:\S+ ){0,2}(?:to )?(?:die|"
          r"bleed out|drown|suffocate|pass out|lose consciousness|stop breathing|hang|kill)\b"),
    _rule("painless way", "means", "possible", "self",
          r"\b(?:painless|quick|quickest|fast|fastest|easiest|easy|best|surest|sure|peaceful|most peaceful|"
          r"least painful|cleanest|gentlest|simplest|reliable) (?:\S+ ){0,1}(?:way|method|ways|methods|means) "
          r"(?:to |of )?(?:die|dying|go|end it|end things|end my life|kill (?:myself|yourself|oneself)|"
          r"suicide|not wake up|check out|overdose|od)\b"),
    _rule("where to buy a rope", "means", "possible", "self",
          r"\b(?:where|how) (?:can i|to|do i|could i|do you|would i|should i) (?:\S+ ){0,1}(?:buy|get|find|make|"
          r"tie|get hold of|order) (?:a |an |some |enough )?(?:gun|guns|firearm|rope|noose|pills|barbiturates|"
          r"poison|razor blades?|cyanide|helium|carbon monoxide|nembutal|sleeping pills|strong pills)\b"),
    _rule("does it hurt to", "means", "possible", "self",
          r"\b(?:does|would|will|do) (?:drowning|hanging|jumping|bleeding out|an overdose|overdosing|dying|"
          r"suffocating|falling|it) (?:\S+ ){0,1}hurt (?:to die|when you die|much to die|if you jump)?\b"
          r"(?<!it hurt)|\bdoes (?:drowning|hanging|jumping|bleeding out|an overdose|overdosing|dying|suffocating) "
          r"hurt\b"),
    _rule("stockpiling pills", "means", "possible", "self",
          r"\b(?:stockpil|sav|hoard|collect|keep)(?:ing|ed|e)? (?:up )?(?:all )?(?:my |the |some |enough )?(?:pills|"
          r"meds|medication|tablets|prescriptions|sleeping pills)\b(?! for (?:the|a|my) (?:trip|holiday|vacation|"
          r"month|week))"),
    _rule("noose", "means", "possible", "self", r"\b(?:tie|tying|tied|make|making|made) (?:a )?noose\b|\bnoose\b"),
    # --- hurting oneself, beyond the word "cut"
    _rule("hurting myself", "self_harm", "clear", "self",
          rf"\b(?:i|been|keep|kept|started|start|stop|still|again|always|to|want to|wanna|gonna|going to|"
          rf"urge to|urges to|cant stop|can not stop) (?:\S+ ){{0,2}}{_SH_VERB} (?:\S+ ){{0,1}}{_BODY}\b",
          needs_intent=True),
    _rule("self harm urges", "self_harm", "clear", "self",
          r"\b(?:sh|self harm|selfharm|self harming|selfharming|self injury) (?:urges?|again|relapse|thoughts|"
          r"scars|tonight|cravings|is bad|was bad|has been bad|day|today|yesterday|last night|after|when)\b|"
          r"\b(?:urges? to|want to|wanting to|need to|relapsed?(?: on| with| into)?|started|back to|thinking "
          r"about|craving|crave|tempted to|almost|did) (?:sh|self harm|selfharm|self harming|cutting|cut|"
          r"burning)\b(?! (?:carbs|sugar|down|back|ties|corners|costs|my hair|the|a|it out|class|school|work)|"
          r" (?:\S+ ){0,2}from (?:the|our|my|a|this) (?:\S+ )?(?:budget|costs?|bill|plan|list|essay|script|draft)|"
          r" my (?!(?:own |self|body|skin|arms?|wrists?|legs?|thighs?|stomach|belly|hips?|chest|face|hands?|"
          r"fingers|forearms?|ankles?|feet|neck|shoulders?)\b))"),
    _rule("relapsed", "self_harm", "possible", "self",
          r"\b(?:i|just|finally|so) relapsed\b(?! (?:on|into) (?:smoking|sugar|junk|alcohol|drinking|vaping|"
          r"coffee|gaming|chocolate))"),
    # --- community shorthand
    _rule("si", "slang", "possible", "self",
          r"\b(?:passive|active|bad|heavy|strong|intense|lots of|some|having|had|my|the|getting|constant|with|"
          r"more|worse|crazy|awful|intrusive) si\b|\bsi (?:day|days|thoughts|is|again|today|tonight|urges|"
          r"has been|bad|hitting|kicking|creeping|spike|spiking|real|really|ideation|lately|worse|getting)\b"),
    _rule("od", "slang", "possible", "self",
          r"\b(?:an|thinking about (?:an )?|going to|want to|planning (?:an |to )?|about to|might|could|try to|"
          r"tried to|attempt(?:ed)? (?:an |to )?) od\b|\bod (?:tonight|again|on (?:my|all|the|these|those)|"
          r"with)\b"),
    _rule("ctb", "slang", "possible", "self",
          r"\b(?:ctb(?! (?:bus|buses|route|line|service|stop|timetable|[0-9]))|kys|unalive|unaliving|sewerslide|"
          r"sewer slide|toaster bath|game end|rope myself|"
          r"delete myself|commit sudoku|commit die|self delete|self deleting|self deletion|permanent nap)\b"),
    # --- someone else in danger
    _rule("someone else wants to die", "intent", "clear", "someone_else",
          rf"\b{OTHER} (?:\S+ ){{0,4}}(?:is |s |are |has been |was |keeps |kept )?(?:going to|wants to|want to|"
          rf"planning to|plans to|will|is about to|about to|said (?:she|he|they) (?:would|will|wants to|is going "
          rf"to|was going to|might)|talking about|talks about|talked about|threatening to|threatened to|tried to|"
          rf"trying to|going to try to|texted (?:me )?(?:that )?(?:she|he|they)(?: is| are)? (?:going to)|"
          rf"thinking about|thinks about|wishes (?:she|he|they) (?:was|were)|wish (?:she|he|they) (?:was|were)|"
          rf"might|could) (?:\S+ ){{0,2}}(?:kill (?:herself|himself|themselves|themself)|end (?:it|her life|his "
          rf"life|their life|their own life|things|it all|everything)|die|be dead|hurt (?:herself|himself|"
          rf"themselves)|jump(?! (?:on|onto|up|around|over|higher|rope|ship|the queue|the gun|in the pool|in the "
          rf"lake))|overdose|od|take (?:her|his|their) (?:own )?life|suicide|not be here|disappear "
          rf"forever|cut (?:herself|himself|themselves))\b{_NOT_IDIOM}"),
    _rule("someone else is suicidal", "intent", "clear", "someone_else",
          rf"\b{OTHER} (?:is|s|are|seems|has been|sounds|was|seemed|might be|may be|became|feels) (?:\S+ ){{0,1}}"
          rf"suicidal\b|\b{OTHER} (?:self harms|selfharms|has been self harming|is self harming|cuts (?:herself|"
          rf"himself|themselves)|has been cutting|is cutting (?:herself|himself|themselves)|burns (?:herself|"
          rf"himself|themselves))\b|\b{OTHER} (?:\S+ ){{0,2}}(?:took|swallowed|has taken) (?:an overdose\b|"
          rf"(?:a bunch of|too many|all (?:her|his|their|the)|a whole|loads of|a lot of|a handful of)(?: \S+)? ?"
          rf"(?:pills|tablets|meds|medication|paracetamol|sleeping pills|painkillers|antidepressants)\b)|"
          rf"\b{OTHER} (?:\S+ ){{0,3}}(?:left|sent|wrote) "
          rf"(?:me )?(?:a )?(?:goodbye|suicide|farewell) (?:note|message|letter|text)\b|\b{OTHER} "
          rf"(?:\S+ ){{0,2}}(?:giving|gave|given) (?:away )?(?:all )?(?:her|his|their) (?:things|stuff|belongings)"),
    # --- harm from someone else
    _rule("someone hurts me", "harm", "clear", "harm_from_others",
          rf"\b{ABUSER} (?:\S+ ){{0,2}}(?:always |sometimes |often |keeps |kept |has |had |again |just |still |"
          rf"then |literally |physically )?{_HARM_VERB} me\b(?! (?:up|with (?:a|his|her|their) (?:question|joke|"
          rf"jokes|email|message|text|request|news|fact|compliment)|back|that|hard with|to do|to go|to try|to "
          rf"apply|to be|into (?:applying|trying|doing)|out of (?:bed|my comfort)|in the group|a link|a text))",
          hyperbole_silences=True),
    _rule("not safe at home", "harm", "clear", "harm_from_others",
          r"\b(?:dont|do not|never|not|no longer|cant|cannot) (?:\S+ ){0,1}(?:feel |be |am )?(?:safe|secure) "
          r"(?:at home|in my (?:own )?(?:home|house|flat|room|apartment|bed)|with (?:him|her|them|my \S+)|around "
          r"(?:him|her|them|my \S+)|in (?:this|the|our) (?:house|home|flat|apartment)|at my (?:house|place|parents)|"
          r"going home|when (?:he|she|they) (?:is|are|gets|get|comes|come) (?:home|drunk|angry)|living "
          r"(?:there|here|with))\b"),
    _rule("afraid of him", "harm", "clear", "harm_from_others",
          rf"\b(?:afraid|scared|terrified|frightened|fear) (?:\S+ ){{0,1}}(?:of|that|for) (?:what )?{ABUSER} "
          rf"(?:\S+ ){{0,2}}(?:will|would|is going to|might|could|may|wants to|want to|is gonna|going to|will "
          rf"really|might actually|did|will do) (?:\S+ ){{0,1}}(?:hurt|kill|hit|beat|attack|harm|do something|"
          rf"find|come after|choke|strangle|rape)(?: me| us| my)?\b|\b(?:afraid|scared|terrified|frightened) of "
          rf"(?:my (?:\S+ )?(?:partner|husband|wife|boyfriend|girlfriend|dad|father|mom|mother|stepdad|stepmom|"
          rf"ex|brother|sister|roommate|flatmate|uncle|parents|family|son))\b(?! (?:finding out|being|thinking|"
          rf"judging|reaction|disappointment|opinion|knowing))"),
    _rule("threatened me", "harm", "clear", "harm_from_others",
          rf"\b{ABUSER} (?:\S+ ){{0,3}}(?:threatened|threatens|threatening|said (?:he|she|they) (?:would|will|is "
          rf"going to|might)|says (?:he|she|they) (?:will|would|is going to)|told me (?:he|she|they)(?: would| "
          rf"will| is going to| might)) (?:\S+ ){{0,2}}(?:kill|hurt|hit|beat|take the kids|burn|harm|end) "
          rf"(?:me|us|my|the kids|himself if)\b|\b{ABUSER} (?:\S+ ){{0,2}}threatened me\b|\b{ABUSER} (?:\S+ ){{0,1}}"
          rf"(?:threatens|threatened|is threatening) (?:me|to)\b|\b(?:he|she|they) (?:has|had|got|pulled|keeps) "
          rf"(?:a |his |her |their )?(?:gun|knife|weapon) (?:on me|at me|to my|out|in the house|and)\b"),
    _rule("violent partner", "harm", "clear", "harm_from_others",
          rf"\b{ABUSER} (?:\S+ ){{0,2}}(?:is|has been|was|gets|can be|becomes|turns) (?!not |"
          rf"never )(?:\S+ ){{0,1}}(?:violent|"
          r"abusive|dangerous|physical with me|rough with me)\b|\b(?:domestic (?:violence|abuse)|being abused|"
          r"abusive (?:relationship|partner|husband|wife|boyfriend|girlfriend|home|parent|parents|dad|mom)|"
          r"(?:he|she|they) (?:won t|wont|will not|doesnt|does not|dont) let me (?:leave|go out|see my|have my "
          r"phone|out)|locked me (?:in|out)|took my (?:phone|keys|passport|money) (?:away )?so i (?:cant|cannot))\b"),
    _rule("will kill me", "harm", "clear", "harm_from_others",
          rf"\b{ABUSER} (?:\S+ ){{0,2}}(?:is going to|will|would|could|might|wants to|tried to|tries to|almost) "
          rf"(?:\S+ ){{0,1}}(?:kill|murder|strangle|choke) me\b",
          hyperbole_silences=True),
)


RULES = RULES + tuple(_rule(*rule) for rule in LANGUAGE_RULES)
_ELISION = re.compile(r"^(j|m|t|s|l|d|n|qu|c)'(?=[a-z])")


def canonical(words: Sequence[str]) -> str:
    """The words as the rules read them: contractions spelled out, French elisions split ("j'ai" is "j ai"),
    one space between words."""
    return " ".join(map(_spelled_out, words)).replace("my self", "myself")


def _spell_out(word: str) -> str:
    expanded = _EXPAND.get(word)
    if expanded is None:
        expanded = _ELISION.sub(r"\1 ", word).replace("'", "") if "'" in word else word
    return expanded


_spelled_out = Memo(_spell_out).__getitem__


@dataclass(frozen=True)
class RuleHit:
    rule: GrammarRule
    start: int


def apply(line: str) -> list[RuleHit]:
    """Every rule that reads danger in `line` (a `canonical` line), with where it starts. Where RE2 is installed,
    one linear pass over the line says which rules can match at all, so a 100,000-character message costs one
    pass and a few rules, not a pass per rule."""
    hits = _candidates(line)
    if _GERMAN.search(line) and _UMLAUT.search(line):
        # "wuensche", "fuer", "gewuergt": German typed without umlauts, read by the German rules as "wunsche"
        folded = _UMLAUT.sub(r"\1", line)
        seen = {hit.rule.name for hit in hits}
        hits += [hit for hit in _candidates(folded, german=True) if hit.rule.name not in seen]
    return hits


def _candidates(line: str, *, german: bool = False) -> list[RuleHit]:
    sets = (_GERMAN_SETS if german else _SETS) if len(line) >= LONG_LINE else \
        (_GERMAN_SHORT_SETS if german else _SHORT_SETS)
    # The line's words are ASCII (screening.tokens): RE2 is given its bytes once, not a copy per set, and its
    # offsets in them are the line's own.
    data = line.encode("ascii") if line.isascii() else line
    indices = (_GERMAN_RULES if german else range(len(RULES))) if sets is None else [
        rules[index] for rules, compiled in sets for index in sorted(compiled.Match(data) or ())]
    return _apply(line, indices, data)


_GERMAN = re.compile(r"\b(?:ich|nicht|mich|mir|mein|meine|meiner|meinem|und|bin|habe|hab|er|sie|ist|wenn|fur|fuer)\b")
_UMLAUT = re.compile(r"([aou])e(?=[a-z])")


def _search(index: int, line: str, data: str | bytes) -> re.Match[str] | None:
    """The rule's first match in `line` (`data` is the same line for RE2: its ASCII bytes, or the line itself). A
    long line is not searched whole by Python's backtracking engine: RE2 finds, in one linear pass, each place the
    rule without its look-arounds matches, and Python reads the rule only from there to a little past where that
    match ends (enough for any look-ahead)."""
    pattern = RULES[index].pattern
    if _SETS is None or len(line) < LONG_LINE:
        return pattern.search(line)
    for candidate in _PLAIN[index].finditer(data):
        found = pattern.search(line, candidate.start(), min(len(line), candidate.end() + LOOK_AHEAD_CHARS))
        if found is not None:
            return found
    return None


def _apply(line: str, indices: Sequence[int], data: str | bytes) -> list[RuleHit]:
    """What their words mean (an accident, a joke, a denial) is judged in a window around each match, not over
    a whole long message."""
    hits: list[RuleHit] = []
    for index in indices:
        rule = RULES[index]
        found = _search(index, line, data)
        if found is None:
            continue
        around = line[max(0, found.start() - CONTEXT_CHARS):found.end() + CONTEXT_CHARS]
        if rule.needs_intent:
            # Hurting oneself: an accident ("on the oven", "shaving") silences it unless something says it was
            # meant; without either it is asked about, with intent it is clear.
            meant = bool(_INTENT.search(around))
            if _ACCIDENT.search(around) and not meant:
                continue
            if not meant:
                rule = GrammarRule(rule.name, rule.category, "possible", rule.about, rule.pattern)
        if rule.hyperbole_silences and _HYPERBOLE.search(around):
            continue
        if rule.category == "intent" and rule.about == "self" and _TRIVIAL.search(around):
            continue
        if rule.category == "means" and (asked_for_a_thing(around) or made_up(around)):
            continue
        before = line[max(0, found.start() - 40):found.start()]
        if rule.category in ("self_harm", "hopelessness", "burden") and (
                _NEGATED.search(before) or _DENIED_INSIDE.match(found.group(0))
                or (rule.category == "self_harm" and _ZERO.search(before))):
            continue  # "i'm not going to hurt myself, i'm just venting", "i would never hurt myself"
        if rule.about == "someone_else" and fiction(around):
            continue  # "the detective hangs himself at the end", "why romeo and juliet kill themselves"
        if "d" in rule.pattern.groupindex and _NEGATED.search(line[max(0, found.start("d") - 40):found.start("d")]):
            continue  # "i dont want to die", "i would never end it": the wish is denied, not stated
        hits.append(RuleHit(rule, found.start()))
    return hits


def accidental(line: str) -> bool:
    """A self-injury that reads as an accident ("nicked myself shaving") and nothing says it was meant."""
    return bool(_ACCIDENT.search(line)) and not _INTENT.search(line)


def fiction(line: str) -> bool:
    """A story, not a person the writer knows: a book, film or game is named and no one of the writer's own is."""
    return bool(_FICTION.search(line)) and not _OWN.search(line)


_FICTION = re.compile(r"\b(?:thriller|novel|novels|film|movie|chapter|characters|opera|musical|romeo|juliet|hamlet|"
                      r"season finale|finale|the writers|showrunners?|plot twist|spoilers?|staff pick|book club|"
                      r"ophelia|essay|stories|fiction|anime|manga|comic|lyrics|song|album|documentary|audiobook|"
                      r"podcast|(?:the|a|this|that|tv|new|last|next|whole|favourite|favorite|fave) (?:series|episode|"
                      r"season|show|book|character|plot|twist|scene|play|story|game))\b")
_OWN = re.compile(r"\b(?:my (?!daughter s|son s|book|essay|class)\S+|our (?:friend|son|daughter)|friend|real life)\b")


def hyperbole(line: str) -> bool:
    return bool(_HYPERBOLE.search(line))


# Before "going to": anyone but a third person ("she's going to end it" is about her).
_NOT_THIRD = "(?<!she is )(?<!he is )(?<!they are )(?<!shes )(?<!hes )(?<!theyre )(?<!she )(?<!he )(?<!they )"
# More ways people say it, each a kind of wording rather than one sentence.
# Medicines a person may take too many of, as people name them.
_MEDS = (r"(?:pills|tablets|meds|medication|paracetamol|paracetomol|paracetamols|ibuprofen|aspirin|co codamol|"
         r"cocodamol|codeine|tramadol|sertraline|citalopram|fluoxetine|prozac|zoloft|diazepam|valium|xanax|lithium|"
         r"quetiapine|seroquel|amitriptyline|mirtazapine|propranolol|oxycodone|morphine|insulin|antidepressants|"
         r"painkillers|sleeping pills|sleeping tablets|sleepers|benzos|opioids|anti depressants|tylenol|advil|nurofen|"
         r"naproxen|oramorph|baclofen|gabapentin|pregabalin|zopiclone|melatonin)")
_MORE_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("took too many pills", "intent", "clear", "self",
     r"\b(?:i |just |already )(?:\S+ ){0,1}(?:took|swallowed|have taken|had|downed) (?:a bunch of|too many|all (?:my|"
     r"the|of my)|a whole (?:bottle|box|pack|packet|strip)(?: of)?|loads of|a lot of|a handful of|an overdose|"
     r"the whole (?:bottle|box|pack)|a load of|lots of|double|triple)(?: \S+){0,3} (?:pills|tablets|meds|medication|"
     r"paracetamol|sleeping pills|bottle|box|pack|antidepressants)\b"),
    ("cutting right now", "self_harm", "clear", "self",
     r"\b(?:i am|i|been|keep) (?:\S+ ){0,1}(?:cutting|burning myself|hurting myself|self harming)(?: right now| again|"
     r" tonight| as we speak| deeper)\b|\b(?:cut|cutting|sh|self harm|selfharm) (?:thoughts|urges|cravings)\b|"
     r"\bself harmed\b|\boverdosed\b(?! on (?:caffeine|coffee|sugar|chocolate|tv|netflix))"),
    ("until it bleeds", "self_harm", "clear", "self",
     r"\b(?:my (?:own )?(?:skin|wrists?|arms?|legs?|thighs?|scars|stomach|hands?|face)|old scars|myself) "
     r"(?:\S+ ){0,5}(?:until|till|til) (?:\S+ ){0,4}(?:bleed|bled|bleeds|bleeding|opened|open|split|bruise|bruised|"
     r"bruises|blister|blistered|burn|burned|raw)\b|\bmade myself (?:throw up|sick|bleed|starve)\b|\b(?:dont|do not)"
     r" deserve (?:to eat|food|to live|to be alive|to exist|to be here)\b|\bstarv(?:e|ing) myself\b"),
    ("never getting better", "hopelessness", "possible", "self",
     r"\b(?:nothing|it|life|things|i|my life) (?:is |are |will |wont |is not |isnt |will not )?(?:\S+ ){0,1}"
     r"(?:never|not ever|ever) (?:\S+ ){0,2}get(?:ting)? better\b|\bwhy (?:do i |should i |would i )?(?:even )?keep "
     r"(?:going|trying|living|fighting|breathing)\b|\b(?:run out of|no more|out of|ran out of) (?:reasons|energy|"
     r"strength|will) to (?:keep (?:going|trying|living)|live|try|go on|fight|stay)\b|\bwaiting for (?:my life|it all|"
     r"everything|life) to (?:be over|end|stop)\b|\bnothing left for me\b|\bnothing (?:left )?to look forward to\b|"
     r"\b(?:dont|do not) have anything to look forward to\b|\bcant (?:picture|imagine|see) (?:myself )?(?:being "
     r"alive|being here|living|making it|getting older|reaching|a future|growing old)\b|\b(?:so |just |really )?done "
     r"with (?:all of it|everything|it all|life|living|this life|existing)\b|\blife (?:has )?lost (?:its|all) (?:point|"
     r"meaning|purpose|colou?r)\b|\blife (?:feels|is|seems) (?:\S+ ){0,2}(?:pointless|meaningless|empty|hopeless|"
     r"unbearable)\b|\b(?:had|have had) enough of (?:living|life|being alive|everything|it all|this life)\b|"
     r"\benduring (?:\S+ ){0,2}until it (?:stops|ends)\b"),
    ("if i was gone", "burden", "possible", "self",
     r"\b(?:they|everyone|everybody|my family|he|she|people|the world|my kids|my partner|them) (?:would|will|d) "
     r"(?:\S+ ){0,2}(?:be )?(?:so much |much |honestly |finally )?(?:better off|happier|free|freer|relieved|"
     r"lighter)\b(?! (?:if (?:we|they|he|she)|with|once (?:we|they)|when (?:we|they)))|\bif i (?:disappeared|was "
     r"gone|were gone|died|was dead|wasnt (?:here|around|alive)|werent (?:here|around)|was not (?:here|around)|left "
     r"for good|vanished|didnt exist|did not exist|never existed)\b(?! for (?:a|the|an))|\bjust by (?:existing|"
     r"being alive|being here|being me)\b|\b(?:better|easier|smoother|happier|lighter|simpler|calmer|fine|free) "
     r"(?:\S+ ){0,2}without me\b|\bwithout me (?:in (?:them|it|their lives|the picture)|around)\b|\b(?:remove|get "
     r"rid of|erase) me\b|\b(?:best|kindest|right|only|nicest) thing (?:\S+ ){0,4}(?:is|would be) (?:to )?(?:not be "
     r"here|disappear|leave for good|die|be gone|go away forever)\b|\b(?:i am|i feel like|feel like|i have become) "
     r"(?:\S+ ){0,3}(?:a )?(?:burden|dead weight|waste of (?:space|air|oxygen))\b"),
    ("hope i dont wake up", "wish_not_exist", "possible", "self",
     r"\b(?:hope|hoping|praying|pray|wish|wishing) (?:that )?(?:i )?(?:just )?(?:dont|do not|never|wont|will not) "
     r"wake up\b|\b(?:fine|okay|relieved|happy|glad|wouldnt mind|would not mind|"
     r"wouldnt care) (?:\S+ ){0,2}if (?:a |the "
     r")?(?:bus|car|train|truck|lorry|plane|something|someone) (?:\S+ ){0,1}(?:hit|killed|ran over|crashed)\b|"
     r"\b(?:hope|hopes|hoping|wish|wishing|praying) (?:that )?(?:the|my|a) (?:plane|car|bus|train) (?:\S+ ){0,1}"
     r"(?:goes down|crashes|crash|hits me)\b|\b(?:didnt|did not|never|wouldnt) (?:recover|make it|survive)\b.{0,160}"
     r"\b(?:relieved|relief|fine|glad|okay)\b|\bwant (?:everything|it all|it) to stop,? (?:me included|including me)"
     r"\b|\b(?:fade|slip|disappear|vanish) (?:out of|from) existence\b|\b(?:switch|turn|shut) me off\b|\bwant out "
     r"of (?:my (?:own )?life|life|everything|existence)\b|\bnot existing\b|\bnot wanting to (?:live|be here|be "
     r"alive|exist|wake up|be around)\b|\bdie soon\b|\b(?:hopefully|hope) (?:\S+ ){0,2}(?:die|dead)\b"),
    ("farewell words", "farewell", "possible", "self",
     r"\bthank(?:s| you)\b"
     r".{0,160}\bgoodbye\b|\bif anything (?:happens|should happen) to me\b|\btell (?:my \S+(?: \S+)?|them|"
     r"him|her|everyone) (?:that )?(?:i am sorry|i love (?:him|her|them|you)|(?:she|he|they) (?:was|were) the best)\b|"
     r"\b(?:given|gave|giving|rehomed|rehoming) (?:away )?my (?:cat|dog|pet|pets|plants|guitar|"
     r"things)\b(?! for (?:the|a"
     r"|an)| while)|\b(?:sorted|sorted out|finished|done|made|wrote|updated) my will\b|\bfinal (?:check in|"
     r"checkin|entry|day|night|message)\b|\blast (?:check in|checkin|entry|message)\b|\bso (?:nobody|no one|"
     r"noone) (?:has|have|will have) to deal with (?:it|that|"
     r"anything|me)\b|\bwont be (?:around|here|alive)(?:$| after| by)|\bstop (?:the |my )?(?:check ins|checkins|"
     r"reminders|messages) after (?:tonight|today|this)\b|\bsaid (?:my )?goodbyes?\b|\bsaying (?:my )?goodbyes\b|"
     r"\b(?:wont|will not|dont|do not) (?:be )?need(?:ing)? (?:the |these |your |any )?(?:reminders|check ins|checkins|"
     r"prompts|messages) (?:anymore|any more|after)\b|\bmy (?:own )?funeral\b|\b(?:goodbye|farewell|suicide) "
     r"(?:letter|letters|note|notes|message|video|post)\b|\b(?:passwords|pin|bank details) (?:\S+ ){0,3}(?:note|"
     r"letter)\b|\blast time (?:you|i) will (?:ever )?hear from\b|\b(?:deleted|deleting) (?:all )?my (?:accounts|"
     r"socials)\b.{0,160}\bbye\b"),
    ("asking about means", "means", "possible", "self",
     r"\b(?:roof|rooftop) access\b|\b(?:jumping|falling|a fall|a jump|jump) (?:from|off|of) (?:\S+ ){0,2}(?:floors?|"
     r"stories|storeys|meters|metres|feet|ft|bridge|building|roof|balcony|car park|parking garage)\b|\b(?:are|is|would"
     r" be) (?:dangerous|deadly|fatal|lethal) to take (?:at once|together|in one go)\b|\bhow many (?:\S+ ){0,4}(?:are "
     r"dangerous|is dangerous|too many|at once)\b|\b(?:carbon monoxide|exhaust fumes|charcoal burning)\b"
     r"(?! (?:alarm|alarms|detector|detectors|sensor|sensors|monitor|monitors|tester))|\bhow (?:deep|"
     r"hard|far) (?:\S+ ){0,4}(?:cut|artery|vein|arteries|veins)\b|\b(?:what|which) (?:dose|amount|quantity) (?:\S+ )"
     r"{0,3}(?:is |would be |are )?(?:lethal|fatal|deadly|too much to survive)\b|\bhow (?:high|tall|far) (?:\S+ ){0,5}"
     r"(?:not survive|to die|be fatal|to kill|survive)\b|\b(?:can|will|would|does|do) (?:\S+ ){0,5}(?:kill you|kill a "
     r"person|be fatal|be lethal|stop (?:your|my|a) heart)\b|\b(?:rope|belt|cord|ligature)\b.{0,160}\b(?:holds?|hold a "
     r"person|weight|strong enough)\b|\b(?:pills|meds|tablets) (?:saved|stockpiled|stashed|hidden) (?:up|away)?\b|"
     r"\b(?:walk|walking|swim|swimming|drive|driving) (?:\S+ ){0,2}(?:into|out to|out into) (?:the )?(?:sea|ocean|"
     r"river|lake|traffic|water) and (?:not|never) (?:coming|come) back\b|\b(?:bridge|roof) (?:\S+ ){0,1}jump\b|"
     r"\bstaring at (?:the |my )?(?:pills|pill bottle|bottle of pills|razor|rope)\b"),
    ("someone else, more", "intent", "clear", "someone_else",
     rf"\b(?:kill|hang|shoot|hurt|cut|stab|drown) (?:herself|himself|themselves|themself)\b|\b(?:she|he|they) "
     rf"(?:is|s|are|has been|have been) (?:\S+ ){{0,1}}(?:cutting|self harming|overdosing)\b|\b{OTHER} (?:\S+ ){{0,3}}"
     rf"(?:took|taken|has taken|had|swallowed|downed|necked) (?:a load of|a lot of|loads of|a ton of|lots of|a bunch "
     rf"of|a whole|the whole|a (?:box|bottle|packet|pack|strip|tub) of|handfuls of|every one of|too many|all (?:of )?"
     rf"(?:her|his|their))(?: \S+){{0,3}}? (?:{_MEDS}|strips?|blister packs?|something)\b|"
     rf"\b{OTHER} (?:\S+ ){{0,3}}(?:swallowed|downed|necked) (?:(?:a |the )?(?:whole |full )?(?:bottle|box|pack|packet|"
     rf"strip|tub|handful|load|lot|bunch|ton)s? of|all (?:of )?(?:her|his|their)|too many)\b|"
     rf"\b(?:standing|sitting|is|are) on (?:a|the) (?:bridge|ledge|roof|"
     rf"edge|railing)\b|\bwishes (?:she|he|they) (?:could|was|were) (?:\S+ ){{0,1}}(?:disappear|die|dead|not wake up|"
     rf"vanish|stop existing|gone)\b|\b(?:saying|says|said|thinks|keeps saying) (?:that )?(?:everyone|everybody|we|"
     rf"the world|they) (?:would|will|d) (?:\S+ ){{0,1}}(?:be )?(?:better|happier)(?: off)? without (?:her|him|them)\b|"
     rf"\b{OTHER} (?:\S+ ){{0,3}}(?:talking|talks|talked) about (?:not wanting to|wanting to|killing|ending|dying|"
     rf"suicide)\b|\b{OTHER} (?:\S+ ){{0,3}}(?:posted|sent|wrote|left) (?:me )?(?:a |an )?(?:goodbye|farewell|"
     rf"suicide)\b"),
    ("harm, more", "harm", "clear", "harm_from_others",
     rf"\b(?:home|my house|my place|my flat|my room|the house) (?:is not|isnt|aint|is no longer|doesnt feel|does not "
     rf"feel|never feels|not) (?:\S+ ){{0,1}}safe\b|\b{ABUSER} (?:\S+ ){{0,6}}(?:make me regret|will regret it|or "
     rf"else|hurt me if|kill me if|find me if)\b|\b(?:hiding|hide|hid|locked myself) (?:in|from|away) (?:\S+ ){{0,4}}"
     rf"(?:because|from|while|until) (?:he|she|they|my)\b|\b(?:he|she|they) (?:is |s |are |keeps |started )?"
     rf"(?:throwing|smashing|breaking|punching) (?:things|stuff|plates|walls|doors)\b|\b(?:he|she|they) (?:gets|get|"
     rf"got|becomes|can get) (?:so |really |very )?(?:scary|violent|aggressive|physical)\b|\b(?:knows|found out) where "
     rf"i (?:live|sleep|work|am)\b|\b(?:showing|shows|turned|turning|keeps showing) up (?:outside|"
     rf"at) my\b|\b(?:following|"
     rf"stalking) me\b|\b(?:not allowed|isnt allowed|wont let me|doesnt let me|"
     rf"does not let me) (?:to )?(?:see|have|leave|"
     rf"go|talk|use|keep) (?:my )?(?:friends|own money|money|family|phone|the house)\b|\btouch(?:es|"
     rf"ed) me (?:\S+ ){{0,3}}"
     rf"(?:nobody|no one|noone|cant tell|can not tell|secret|alone|at night|when i sleep)\b|\b(?:held|"
     rf"holds|pinned|pins) "
     rf"me down\b|\bafraid of what {ABUSER} (?:would|will|might|d|could) do\b"),
    ("urges and anniversaries", "self_harm", "possible", "self",
     r"\b(?:the )?urges? (?:are|is|have been|were|came) (?:\S+ ){0,1}(?:back|loud|strong|bad|winning|so strong|"
     r"louder)\b|\bmy (?:last |suicide )?attempt\b|\bthink(?:ing)? about (?:dying|death|being dead|killing myself|"
     r"ending it|not being here) (?:every day|all the time|constantly|a lot|daily|every night|nonstop)\b|"
     r"\bcatch(?:ing)? the bus\b.{0,160}\bnot the (?:real|actual|normal)\b"),
    ("every pill, with a when", "intent", "clear", "self",
     r"\b(?:i am|im|i will|ill|tonight i am|today i am|" + _NOT_THIRD + r"(?:going to|gonna)) "
     r"(?:\S+ ){0,1}(?:taking|swallowing|take|"
     r"swallow) (?:every|all the|all of the|all my|the whole) (?:\S+ ){0,1}(?:pills?|tablets?|meds|box|bottle|lot|"
     r"packet|pack)\b(?: \S+){0,8}? (?:tonight|when|once|the second|after|so i (?:dont|do not|never) wake|and (?:go "
     r"to )?sleep|and not wake)\b"),
    ("took dozens", "intent", "clear", "self",
     rf"\b(?:took|taken|swallowed|downed|necked) (?:like |about |around |maybe |over |at least |all )?(?:[2-9][0-9]|"
     rf"[0-9]{{3}}|twenty|thirty|forty|fifty|sixty|a hundred) (?:of )?(?:my |the |her |his |mums |those |these )?"
     rf"(?:\S+ ){{0,1}}{_MEDS}\b|\b(?:took|taken|swallowed|downed|necked) (?:half|all|most) (?:of )?(?:the|a|my|her|"
     rf"his) (?:whole )?(?:box|bottle|packet|pack|tub|strip|blister pack|jar) (?:of )?(?:my |her |his )?(?:\S+ ){{0,1}}"
     rf"{_MEDS}\b"),
    ("pulled out my hair", "self_harm", "clear", "self",
     r"\b(?:pulled|pulling|ripped|tore|tearing) out (?:a patch|patches|chunks|clumps|handfuls|a clump|a chunk|"
     r"a handful|some) of my (?:own )?(?:hair|eyelashes|eyebrows)\b"),
    ("swallowed something toxic", "self_harm", "clear", "self",
     r"\b(?:drank|drunk|swallowed|downed|don drink|don drank) (?:a bit of |some (?:of )?(?:the )?|a mouthful of |a "
     r"cup of |a glass of )?(?:bleach|cleaning (?:stuff|fluid|product|spray)|drain cleaner|antifreeze|weed killer|"
     r"dishwasher tablets?|dettol|domestos|jik|harpic|sniper|paraquat|gramoxone|pesticide|insecticide|kerosene|"
     r"paraffin|battery acid|methylated spirits|meths|lye|weedkiller|rat poison)\b"),
    ("hurt by anyone, more", "harm", "clear", "harm_from_others",
     r"\b(?:twisted|bent|yanked|wrenched) my arm (?:behind|until|so hard|back)\b|\b(?:pushed|shoved|held|forced) my "
     r"head (?:into|under|down|against)\b|\b(?:threw|thrown|hurled|chucked) (?:a |the )?(?:chair|plate|glass|bottle|"
     r"mug|knife|phone|remote|shoe) at me\b|\bme (?:avento|tiro|lanzo) (?:una|un) (?:silla|plato|vaso|botella)\b"),
)
RULES = RULES + tuple(_rule(*rule, hyperbole_silences=rule[0] == "harm, more") for rule in _MORE_RULES)

# Indirect wording, by kind: each a slot (who, what, how long) rather than one sentence.
_INDIRECT_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("beyond help", "hopelessness", "possible", "self",
     r"\b(?:no one|nobody|noone|nothing) (?:can|could|will ever|is able to) (?:\S+ ){0,1}(?:help|save|fix) me\b|"
     r"\b(?:beyond (?:help|saving|repair)|past (?:saving|helping))\b|\bwhy (?:even )?bother (?:anymore|any more|with "
     r"(?:any of it|anything|life|living|any of this)|living|existing|trying|at all)\b|\b(?:done|finished|through|"
     r"tired of|sick of|exhausted from) (?:trying|fighting|pretending|surviving|holding on|being strong)(?:$| anymore|"
     r" any more|[.,]| every| so hard| for so long| nothing)|\b(?:trapped|stuck)\b"
     r".{0,160}\b(?:no (?:escape|way out|exit)|"
     r"cant (?:escape|get out)|forever)\b|\bnothing (?:will ever|is ever going to|ever) change(?:s)?\b.{0,160}\b(?:why|"
     r"point|tired|done|give up|cant)\b|\b(?:i do not|i dont) care (?:what happens to me|if i (?:live|die|wake up|"
     r"make it))\b|\b(?:i have|there is) nothing left (?:in me|for me|to give|to live for|inside)\b|\b(?:holding on|"
     r"hanging on) by a thread\b|\b(?:every day|each day|living) (?:is|feels like) (?:\S+ ){0,2}(?:torture|agony|"
     r"a punishment|hell|unbearable)\b|\bhow (?:much longer|long) (?:do i|can i|am i supposed to|will i have to) "
     r"(?:\S+ ){0,2}(?:keep (?:doing|going|living)|do this|live like this|survive|last|hold on)\b|\b(?:i am|i feel) "
     r"(?:so )?(?:empty|hollow|numb) (?:inside )?(?:and|all the time|every day|that)\b"
     r".{0,160}\b(?:point|end|gone|die|stop|"
     r"over)\b"),
    ("i ruin everything", "burden", "possible", "self",
     r"\bi (?:ruin|wreck|destroy|spoil|mess up) (?:everything|everyone s life|everyones life|everything for everyone|"
     r"their lives|all their lives)\b|\b(?:i am|i feel like) (?:\S+ ){0,3}(?:trouble|a problem|a disappointment|a "
     r"mistake|a failure|a weight|in the way|a liability) (?:for|to) (?:everyone|everybody|the people|my family|them|"
     r"all of them)\b|\bi (?:only |just )?(?:make|made) (?:everything|everyone s life|everyones lives|things|their "
     r"lives|life) (?:\S+ ){0,1}(?:worse|harder)\b(?! (?:by|at|when i (?:forget|am late)))|\b(?:everyone|everybody|"
     r"they|my family|people) (?:would|will|d) (?:\S+ ){0,2}(?:move on|get over it|forget me) (?:\S+ ){0,2}(?:quickly|"
     r"fast|soon|in a week|eventually)\b|\b(?:the world|everyone|everybody|my family|they) (?:\S+ ){0,3}(?:without me|"
     r"if i (?:was|were) (?:not|gone)|once i am gone)\b|\bi (?:do not|dont) deserve (?:to be here|to be alive|to be "
     r"loved|anything|them|to live|to exist)\b"),
    ("saying goodbye", "farewell", "possible", "self",
     r"\b(?:saying|said|say|texting|texted|messaging) (?:my )?(?:goodbye|goodbyes|bye) (?:to (?:everyone|people|my|"
     r"the people|all|everybody)|quietly|this week|one by one)\b|\bmake sure (?:my \S+|they|she|he|everyone|you) "
     r"(?:\S+ ){0,1}knows? (?:that )?i (?:love|loved)\b|\b(?:found|made sure|arranged|sorted) (?:\S+ ){0,2}(?:my|a) "
     r"(?:cat|dog|pet|pets|kitten|puppy|rabbit|bird|fish)s? (?:has|have|gets?|with) (?:a )?(?:new )?(?:home|owner|"
     r"family|someone to look after)\b|\bwho (?:will|would|is going to) (?:look after|take care of|feed|take) my "
     r"(?:cat|dog|pet|pets|kids|plants)\b(?!.{0,160}\b(?:holiday|trip|vacation|weekend|away|while i am)\b)|\b(?:i want|"
     r"i wanted) (?:you|everyone|you all|them) to know (?:that )?(?:i love|i loved|it was not|it is not|none of this|"
     r"i am sorry)\b|\b(?:please )?(?:do not|dont) blame yourselves?\b|\bit is not (?:your|anyone s|anyones) fault\b"
     r".{0,160}"
     r"\b(?:goodbye|bye|love you|gone|sorry|when you read|by the time)\b|\bby the time (?:you|anyone|someone) "
     r"(?:read|reads|see|sees|find|finds) this\b|\b(?:i have|i ve|ive|already) (?:\S+ ){0,1}(?:written|wrote|left) "
     r"(?:\S+ ){0,2}(?:letters?|notes?) (?:for|to) (?:\S+ ){0,2}(?:mum|mom|dad|family|kids|partner|everyone|friends|"
     r"sister|brother|parents)\b"),
    ("means, more", "means", "possible", "self",
     r"\bhow (?:many|much) (?:\S+ ){0,3}(?:insulin|paracetamol|tylenol|acetaminophen|ibuprofen|aspirin|"
     r"antidepressants|sleeping pills|xanax|oxy|opioids|benzos|lithium|amitriptyline|sertraline|codeine|tramadol|"
     r"zopiclone|diazepam|alcohol and pills|pills and alcohol) (?:\S+ ){0,3}(?:too much|to (?:die|kill)|overdose|"
     r"lethal|fatal|would it take|before)\b|\b(?:survive|survivable) (?:a )?(?:jump|fall|jumping|falling) "
     r"(?:from|off)\b|\b(?:from|off) (?:a |the )?(?:\S+ ){0,2}(?:floor|storey|story) (?:window|balcony|roof)\b.{0,160}"
     r"\b(?:survive|die|fatal|kill)\b|\bwhich (?:\S+ ){0,2}(?:pills|meds|medication|drugs|poison|chemicals) "
     r"(?:are|is|would be) (?:most |the most )?(?:dangerous|deadly|lethal|fatal|toxic)\b|\bwhere (?:can|could|do) "
     r"(?:i|you|someone|people) (?:\S+ ){0,2}(?:get|buy|find) (?:a |an )?(?:gun|firearm|pistol|rifle|cyanide|"
     r"barbiturates|nembutal|exit bag)\b|\bhow (?:do|does|would|to) (?:you |people |someone |i )?(?:tie|make) "
     r"(?:a )?noose\b|\b(?:what|which) (?:\S+ ){0,2}(?:would|will|could) (?:\S+ ){0,1}(?:kill|stop the heart|be "
     r"fatal|be lethal)\b"),
    ("someone else, signs", "intent", "possible", "someone_else",
     rf"\b{OTHER} (?:\S+ ){{0,4}}(?:said|says|told me|texted|keeps saying|wrote|posted) (?:\S+ ){{0,3}}(?:(?:she|he|"
     rf"they) (?:does not|doesnt|do not|dont) want to (?:be here|be alive|live|exist|wake up|go on)|(?:everyone|"
     rf"everybody|we|the world|people) (?:would|will|d) be (?:\S+ ){{0,1}}(?:better|happier)|(?:she|he|they) "
     rf"(?:is|are|s|feels?) (?:a burden|done|finished|tired of (?:living|life|everything))|(?:goodbye|bye) "
     rf"(?:to everyone|forever)|(?:she|he|they) (?:wants? to|wish(?:es)?) (?:\S+ ){{0,1}}(?:disappear|die|be dead|"
     rf"not exist|be gone))\b|\b{OTHER} (?:\S+ ){{0,3}}(?:has been |is |keeps |started |been )?(?:giving|gave|given) "
     rf"(?:away )?(?:\S+ ){{0,2}}(?:her|his|their) (?:stuff|things|belongings|clothes|games|books|guitar|"
     rf"possessions)\b|\b{OTHER} (?:\S+ ){{0,3}}(?:has|have|had|keeps|is keeping|been) (?:\S+ ){{0,1}}(?:pills|meds|"
     rf"tablets|a rope|a gun|razor blades) (?:saved|stashed|hidden|stockpiled|in (?:her|his|their) room)\b|\b(?:a |"
     rf"my )?(?:friend|sister|brother|son|daughter|cousin|partner) (?:\S+ ){{0,3}}(?:posted|sent|wrote) "
     rf"(?:\S+ ){{0,3}}(?:sounds|sounded|looks|looked|reads|read) like (?:a )?(?:goodbye|farewell|suicide note)\b|"
     rf"\b(?:worried|scared|afraid|terrified) (?:that )?{OTHER} (?:\S+ ){{0,2}}(?:will|might|is going to|could|may) "
     rf"(?:\S+ ){{0,1}}(?:hurt|kill|harm|do something to) (?:herself|himself|themselves|themself)\b"),
)
RULES = RULES + tuple(_rule(*rule) for rule in _INDIRECT_RULES)

# Found writing dev2 (a blind development set): more kinds of wording, each a slot rather than one sentence.
_DEV2_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("hurt with an object", "self_harm", "clear", "self",
     r"\b(?:pressed|press|pressing|held|hold|holding|put|putting|used|using|poured|pour|pouring|rubbed|rubbing|"
     r"scrubbed|scrubbing|touched|burned|burnt|burned|stubbed|scraped|scratched) (?:\S+ ){0,3}(?:iron|lighter|"
     r"cigarette|cigarettes|boiling water|hot water|bleach|kettle|blade|razor|knife|glass|eraser|ice|lighters|"
     r"match|matches|hot spoon|spoon|skin raw|compass|scissors) (?:\S+ ){0,3}(?:to|on|against|into|over|across|"
     r"with|raw)? ?(?:my (?:own )?(?:arm|arms|wrist|wrists|leg|legs|thigh|thighs|skin|stomach|belly|hip|hips|hand|"
     r"hands|chest|body|shoulder|shoulders|ankle|ankles|forearm|forearms|foot|feet|fingers|finger)|myself)\b"
     r"(?!.{0,160}\b(?:accident|accidentally|by mistake|ironing|cooking|baking|oops)\b)|\b(?:bang|banged|banging|hit|"
     r"hitting|slam|slammed|slamming|punch|punched|punching) (?:my (?:own )?(?:head|fingers|fist|fists|hand|hands|"
     r"arm|arms|legs?|face)) (?:\S+ ){0,5}(?:over and over|again and again|until|till|on purpose|angry at myself|"
     r"to punish|to feel|because i deserve)\b|\b(?:drank|drunk|drink|drinking|swallowed|swallow|ate) (?:\S+ ){0,2}"
     r"(?:bleach|antifreeze|poison|rat poison|weedkiller|detergent|drain cleaner)\b|\bwant to (?:scratch|cut|burn|"
     r"hurt) (?:\S+ ){0,2}(?:till|until) (?:it|i) (?:bleed|bleeds|bruise)"),
    ("someone hurts me, more", "harm", "clear", "harm_from_others",
     rf"(?:\b{ABUSER} |\b(?:mum|mom|dad|mama|papa|stepdad|stepmum|stepmom) )(?:\S+ ){{0,2}}(?:slaps|slapped|hits|"
     rf"hit|burns|burned|burnt|scratched|scratches|bites|bit|kicks|kicked|punches|punched|shoves|shoved|chokes|"
     rf"choked|slammed|slams|shook|shakes|pinned|cornered) (?:me|my (?:face|arm|arms|neck|head|hand|"
     rf"hands|leg|legs|body|back|chest))\b(?! (?:up|back|with (?:a|the) (?:question|joke|email)))|\b(?:threw|throws|"
     rf"throwing|thrown) (?:\S+ ){{0,3}}at (?:me|my (?:head|face))\b|\blocks? me (?:in|out)\b|\bnext time (?:it is|"
     rf"its|it will be|ill use|he will use|she will use) (?:a )?(?:knife|gun|worse)\b|\bmake me pay\b|\bbacked me "
     rf"(?:into|against)\b|\b(?:grabbed|grabs|grabbing) me\b.{0,160}\b(?:safe|scared|night|afraid)\b|\b(?:dont|do not|"
     rf"never) feel safe (?:here|anymore|any more)\b|\b(?:home|the house|my flat) (?:has not|hasnt|does not|doesnt) "
     rf"(?:\S+ ){{0,1}}(?:felt|feel|been) safe\b"),
    ("control and fear", "harm", "possible", "harm_from_others",
     rf"\b(?:{CONTROLLER}|(?:mum|mom|dad|partner)) (?:\S+ ){{0,2}}(?:controls|takes|checks|reads|tracks|monitors|goes "
     rf"through|went through|took|keeps) (?:\S+ ){{0,2}}(?:money|phone|messages|location|bank|texts|cards)\b|"
     rf"\bwalk(?:ing)? on eggshells (?:at home|around (?:him|her|my (?:partner|husband|wife|boyfriend|girlfriend))|"
     rf"because (?:he|she))\b|(?<!not )(?<!never )(?<!never been )\b(?:afraid|scared|terrified|"
     rf"frightened) (?:of|o) (?:him|"
     rf"her|how (?:he|she|they) (?:gets|get|acts)|what (?:he|she|they) (?:will|might|would|could) do)\b(?! "
     rf"(?:reaction|finding|opinion|judging))|\b(?:goes|gets|went) (?:quiet|silent|cold) and i (?:get|got|am) "
     rf"(?:scared|afraid|frightened)\b"),
    ("farewell, more", "farewell", "possible", "self",
     r"\b(?:gave|given|giving|gave away|sold|donated|cancelled|canceled|returned)\b"
     r".{0,160}\b(?:wont|will not|dont|do not|"
     r"not going to) need (?:them|it|any of (?:it|this|that|them)|these|those|anything)\b|\b(?:everything|it all|all "
     r"my affairs|my affairs) (?:is|are) (?:\S+ ){0,1}(?:in order|sorted|taken care of)\b|\btying up (?:all )?(?:the "
     r"|my )?loose ends\b|\bclean slate before i go\b|\bbefore i go(?:$|[.,!])|\b(?:goodnight|good night|bye|"
     r"goodbye) forever\b|\b(?:will not|wont|not going to) be (?:checking in|around|talking to you|here|using "
     r"this) (?:again|anymore|any more|after)\b|\btell (?:them|her|him|everyone|my \S+) (?:that )?i (?:loved|love|"
     r"tried|am sorry)\b|\bif i (?:dont|do not) (?:reply|answer|respond|wake up|come back)\b.{0,160}\b(?:fault|sorry|"
     r"love|goodbye|best)\b|\b(?:cancelled|canceled) (?:\S+ ){0,3}(?:subscriptions|phone contract|gym|therapy|"
     r"everything)\b.{0,160}\b(?:need|order|sorted|anymore)\b|\b(?:gave|giving|given|started giving) away (?:all |most "
     r"of )?my\b|\bgave my (?:\S+ ){1,5}to (?:my )?\S+\b.{0,160}\b(?:wont|will not|dont) need\b|\bsaid (?:what i "
     r"needed to say|everything i needed to say|my piece) to (?:everyone|everybody|them|you all)\b|\bwrote "
     r"(?:\S+ ){0,3}letters?\b"
     r".{0,160}\b(?:scheduled|to send|to open|after i|when i)\b|\bi want (?:my \S+|them|her|him) to "
     r"have my\b|\bmade sure (?:\S+ ){0,6}(?:in (?:my|her|his) (?:\S+ )?name|taken care of|looked after)\b|"
     r"\b(?:returned|paid back) (?:\S+ ){0,4}(?:i borrowed|every penny|everyone)\b|\b(?:left|leaving) my "
     r"passwords\b|\bnone of (?:it|this) (?:was|is) (?:your|her|his|their) fault\b|\b(?:arranged|asked) for "
     r"(?:\S+ ){0,3}to (?:feed|look after|take care of|walk) (?:\S+ ){0,3}(?:from next|after|when i am gone|from "
     r"now on|onwards)\b|\bclosing the book\b"),
    ("means, more questions", "means", "possible", "self",
     r"\b(?:is|does|would) (?:hanging|drowning|jumping|overdosing|bleeding out|suffocating|dying|getting hit by a "
     r"train|an overdose) (?:\S+ ){0,1}(?:painful|hurt|quick|fast|peaceful)\b|\b(?:do|would|does) (?:you|someone|a "
     r"person) (?:\S+ ){0,1}feel (?:it|anything|pain) (?:if|when) (?:you|they|someone) (?:get hit|gets hit|jump|fall|"
     r"hang|drown|overdose)\b|\bwhat happens if (?:you|someone|i|a person) (?:take|takes|swallow|drink|drinks|mix|"
     r"mixes) (?:\S+ ){0,3}(?:whole|all|entire|pack|bottle|box|packet|strip|lot of|too many|handful)\b|\b(?:you|"
     r"someone|a person|i|people) (?:wouldnt|would not|wont|will not|couldnt|could not) survive\b|\bhow (?:deep|high|"
     r"far|cold|long|fast|many storeys|many floors|many stories) (?:\S+ ){0,8}(?:drown|drown in|survive|to kill "
     r"you|kill you|fatal|lethal|to die)\b|\b(?:train lines?|platforms?|stations?|bridges?|roofs?|car parks?) "
     r"(?:\S+ ){0,4}(?:no|without|dont have|do not have) (?:\S+ ){0,1}(?:barriers|fences|railings|nets)\b|"
     r"\b(?:freight|fast|express) trains? (?:\S+ ){0,4}(?:dont|do not|that dont|that do not) stop\b|\bbuy (?:a |"
     r"some )?helium\b|\bhelium (?:tank|tanks|canister|canisters)\b|\bhow much weight can (?:\S+ ){0,3}hold\b|"
     r"\b(?:across or down|down or across)\b|\b(?:where|so|until|and) (?:you|someone|a person) (?:just )?(?:dont|"
     r"do not|never|wont|will not) wake up\b|\b(?:googled|searched|looked up|searching|googling) (?:for )?"
     r"(?:\S+ ){0,3}(?:how to die|how to kill|suicide|painless|how many pills|lethal dose|bridges)\b"),
    ("hopelessness, more", "hopelessness", "possible", "self",
     r"\b(?:cant|cannot|can not) (?:do|face|take|survive|handle) (?:another|one more) (?:year|day|week|month|night|"
     r"winter|christmas)\b|\bout of hope\b|\bno reason(?:$|[.,!]| anymore| left| to (?:stay|be here|keep|get up|"
     r"try))|\bnever (?:going to|ever going to) stop (?:hurting|being like this|being this hard)\b|\bwhat is left "
     r"(?:to|for me to) (?:stay|live|stick around|keep going|hold on)\b|\bsense (?:of|in) (?:living|life|going on|"
     r"continuing)\b|\b(?:everything|it all|the whole thing|all of it|life) (?:is|feels) (?:\S+ ){0,1}pointless\b|"
     r"\bthe point in (?:living|living anymore|anything)\b|\bideation\b|\bthe thoughts (?:are|have been|keep) "
     r"(?:\S+ ){0,1}(?:back|coming back|creeping|returning|loud|louder)\b|\bthink about how i would\b|\bpunish(?:ing)? "
     r"myself\b|\b(?:old |my )(?:blades|razors)\b"),
    ("burden, more", "burden", "possible", "self",
     r"\b(?:a )?(?:weight|millstone|burden|drain|cost|curse) (?:around|on|to) (?:\S+ ){0,2}(?:neck|everyone|"
     r"everybody|family|them)\b|\b(?:kinder|better|easier|fairer) (?:for (?:everyone|them|everybody) )?if i "
     r"(?:stop|stopped|was gone|left|disappeared|wasnt here)\b|\b(?:stealing|wasting|using up) (?:\S+ ){0,1}"
     r"(?:oxygen|air)\b|\btaking up (?:space|room|oxygen|air)\b|\b(?:the world|nobody|no one|everyone) (?:does not|"
     r"doesnt|dont|do not) need (?:\S+ ){0,3}me\b|\bi (?:bring|add|contribute|give) nothing (?:to|but)\b|\bstop "
     r"needing (?:things|anything|anyone|help)\b|\b(?:disappointment|cost|drain) to everyone\b"),
    ("wish not to exist, more", "wish_not_exist", "possible", "self",
     r"\b(?:wouldnt|would not) mind if (?:\S+ ){0,4}(?:fell on me|gave out|stopped|took me|hit me|ran me over|killed "
     r"me|crashed|never woke|didnt wake|did not wake)\b|\b(?:pray|praying|hope|hoping|wish|wishing) (?:for )?(?:a )?"
     r"(?:car crash|crash|heart attack|aneurysm)\b|\b(?:hope|hoping|wish|pray|praying)\b.{0,160}\btakes? me out\b(?! "
     r"(?:to|for|on))|\bhalf hope\b|\b(?:hope|hoping) the (?:bus|car|train|truck) (?:doesnt|does not|wont|will not) "
     r"stop\b|\brather not (?:exist|be here|be alive|wake up)\b|\b(?:wish|wishing|want|wanted) (?:i could |to )?"
     r"(?:just )?(?:fade (?:out|away)|dissolve|evaporate|melt into|sink into|vanish into)\b|\b(?:die|dead) is "
     r"looking (?:\S+ ){0,1}good\b|\bfeeling (?:very |so |really |kinda )?die\b|\bgo to (?:train|bridge)\b|"
     r"\bpills pills\b|\b(?:good)?bye world\b|\bsleep forever\b"),
    ("someone else, more signs", "intent", "clear", "someone_else",
     rf"\b{OTHER} (?:\S+ ){{0,4}}(?:bought|buying|got|has) (?:a |some )?(?:rope|gun|helium)\b|\b{OTHER} (?:\S+ ){{0,2}}"
     rf"(?:is |keeps |has been |was )?(?:burning|cutting|hitting|banging|scratching|starving|hurting|killing|"
     rf"hanging) (?:herself|himself|themselves|themself|(?:her|his|their) (?:head|arms|wrists|legs|skin))\b|"
     rf"\b(?:they|she|he) (?:are|is|re|s) killing (?:themselves|herself|himself)\b|\b{OTHER} (?:\S+ ){{0,4}}"
     rf"(?:drank|swallowed|took|ate) (?:\S+ ){{0,2}}(?:bleach|antifreeze|poison|rat poison|weedkiller)\b"),
    ("someone else, warning signs", "intent", "possible", "someone_else",
     rf"\b{OTHER} (?:\S+ ){{0,6}}(?:doesnt|does not|dont|do not) deserve to (?:eat|live|be here|exist)\b|\b(?:asking|"
     rf"asked|keeps asking) (?:\S+ ){{0,2}}where (?:we|i|you|mum|dad|mom) (?:keep|kept|hide|put) (?:the |my |our )?"
     rf"(?:gun|shotgun|rifle|pills|meds|medication|shotgun key|gun key|gun safe)\b|\b(?:written|wrote|made) a will "
     rf"(?:at|aged) \d+\b|\b(?:long sleeves|long sleeved|bracelets)\b.{0,160}\b(?:summer|hot|worried|flinch|flinched|"
     rf"touch|touched|marks|hides|arm|arms)\b|\b(?:wont|will not) matter (?:soon|much longer|for long)\b|\bnot "
     rf"being (?:around|here|alive) (?:next|by|much longer|anymore)\b|\b{OTHER} (?:\S+ ){{0,4}}(?:posted|sent|"
     rf"wrote|said|texted) (?:\S+ ){{0,3}}(?:see you (?:all )?on the other side|goodbye forever|bye forever)\b|"
     rf"\b{OTHER} (?:\S+ ){{0,4}}(?:how much|how many) (?:\S+ ){{0,2}}(?:is too much|would kill|to die)\b"),
)
RULES = RULES + tuple(_rule(*rule) for rule in _DEV2_RULES)

# Found by cross-validation on the development sets (each line scored by a head that had not learned from it):
# wordings the head alone was catching, each written as a slot.
_PEOPLE = (rf"(?:he|she|they|my (?:\S+ ){{0,3}}(?:(?:{_HOUSEHOLD}|housemate|boss|manager|supervisor|coworker|colleague|"
           r"teacher|coach|neighbour|neighbor|in law|in laws|law|pimp|dealer)s?))")
_VIOLENCE = (r"(?:glass|stab|shoot|kill|murder|strangle|choke|punch|slap|beat|hurt|burn|drown|smash|rape|cut|break|"
             r"slit|bury|throttle)")
_CV_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("threatened with violence", "harm", "clear", "harm_from_others",
     rf"\b(?:threatened|threatens|threatening|threatened me) (?:to |that (?:he|she|they) (?:would|will|d|is going "
     rf"to) )(?:\S+ ){{0,1}}{_VIOLENCE} (?:me|my|us)\b|\b{_PEOPLE} (?:\S+ ){{0,2}}(?:said|says|told me|swore) "
     rf"(?:that )?(?:he|she|they) (?:would|will|d|is going to|was going to) (?:\S+ ){{0,1}}(?:stab|shoot|strangle|"
     rf"choke|slit|throttle|break my (?:legs|arms|arm|neck|jaw|face|fingers)|cut me|burn me|smash my)\b"),
    ("someone hurts me, struck", "harm", "clear", "harm_from_others",
     rf"\b{_PEOPLE} (?:\S+ ){{0,3}}(?:struck|strikes|knocked|knocks|battered|batters|bashed|stabbed|throttled|"
     rf"headbutted|elbowed|beat up|beats up|beaten|strangled|choked|punched|slapped|kicked|shoved|pushed) me\b"
     rf"(?!.{0,160}\b(?:by accident|accidentally|by mistake)\b)(?! (?:in the back|up|back|off (?:the|a) (?:list|team|"
     rf"rota)|out of (?:the|a) (?:game|team|round)))|\b(?:knocked|pushed|"
     rf"shoved|threw|thrown|slammed|flung) me (?:\S+ ){{0,1}}(?:into|against|down|onto|to the (?:floor|ground)|"
     rf"across)\b|\b(?:grabbed|squeezed|twisted|yanked|pulled) my (?:arm|arms|wrist|wrists|neck|throat|hair) "
     rf"(?:\S+ ){{0,5}}(?:marks|bruise|bruises|bruised|hard|hurt|bleed)\b"),
    ("someone else is hit", "harm", "clear", "someone_else",
     r"\b(?:husband|boyfriend|partner|wife|girlfriend|dad|father|stepdad|stepfather|ex|fiance) (?:\S+ ){0,2}(?:beat|"
     r"beats|hits|hit|punched|punches|choked|chokes|strangled|slapped|slaps|kicked|kicks) (?:her|him|them)\b"
     r"(?! (?:at|in|to|by|back|up on))"),
    ("hurt my own body", "self_harm", "clear", "self",
     r"\b(?:burned|burnt|burning|scalded|scalding|bit|biting|cut|cutting|scratched|scratching|carved|carving|"
     r"punched|punching|bruised|stabbed|sliced|slashed|scraped|whipped) (?:\S+ )?my (?:own )?(?:arm|arms|wrist|"
     r"wrists|leg|legs|thigh|thighs|skin|stomach|belly|hip|hips|hand|hands|chest|fingers|knuckles|forearm|forearms|"
     r"face|head|ankles?) " + _ON_A_THING + r"(?:\S+ ){0,6}(?:again|on purpose|until|till|so hard|to feel|to punish|"
     r"because i|at "
     r"myself|deserve|with a (?:lighter|cigarette|razor|blade|knife|compass|hot))\b|\b(?:slammed|slamming|banged|"
     r"banging) (?:\S+ )?my (?:own )?(?:head|fists?|hands?|fingers|arms?|legs?|face) (?:\S+ ){0,6}(?:on purpose|"
     r"until|till|so hard|to feel|to punish|at myself|deserve)\b"),
    ("means at hand", "means", "possible", "self",
     r"\b(?:got|bought|have|ordered|hid|hidden|stashed|stockpiled|saved up|saving up|collected|collecting|keeping) "
     r"(?:\S+ ){0,2}(?:rope|noose|pills|tablets|blades|razor blades|charcoal|helium|rifle|gun) (?:\S+ ){0,8}"
     r"(?:tonight|ready|just in case|for when|for later|need to (?:pick|choose|decide)|enough|all set|for after|"
     r"for the weekend|for this weekend|in my car)\b"),
)
RULES = RULES + tuple(_rule(*rule) for rule in _CV_RULES)

# Found in dev4 (a blind development set): plain statements, said the way people type them.
_PLACES_TO_FALL = r"(?:bridge|cliff|cliffs|roof|building|car park|pier|tower|balcony|overpass|flyover|viaduct|ledge)"
_VEHICLES = r"(?:lorry|truck|train|bus|tram|traffic|car|cars|van|coach|tube)"
_DEV4_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("a time and a way", "intent", "clear", "self",
     rf"\b(?:i am|going to|gonna|will|planning to|plan to|about to|ready to|decided to|tonight i|tomorrow i|today i) "
     rf"(?:\S+ ){{0,1}}(?:walk|walking|step|stepping|jump|jumping|throw myself|throwing myself|run|running|drive|"
     rf"driving|lie|lying) (?:out )?(?:in front of (?:a |the |an )?{_VEHICLES}|under (?:a |the )?{_VEHICLES}|off "
     rf"(?:the end of )?(?:a |the |that |this )?{_PLACES_TO_FALL}|(?:off|into) (?:the )?(?:tracks|motorway|river|"
     rf"quarry))\b|\b(?:set|picked|chosen|chose|have|got) (?:a |the )?(?:date|day|time) (?:to die|for it|to do it|to "
     rf"end it|to go|for my death)\b|\b(?:i am|im|going to|gonna|will be|tonight i am|today i am) (?:\S+ ){{0,1}}"
     rf"(?:taking|swallowing|take|swallow) (?:all |every |the whole |all of )?(?:the |my |them |everything in the "
     rf"(?:cabinet|cupboard|drawer|box)|the lot|them all)(?:pills|tablets|meds|bottle|box|lot)? ?(?:\S+ ){{0,2}}"
     rf"(?:tonight|tomorrow|today|this weekend|on (?:sunday|monday|tuesday|wednesday|thursday|friday|saturday)|"
     rf"when|once|after)\b|\b(?:pills|tablets|meds) (?:are |is )?(?:\S+ ){{0,1}}(?:counted out|lined up|set out|"
     rf"ready) (?:for|tonight|on)\b|\b(?:bought|got|have) the (?:pills|rope|tablets) (?:\S+ ){{0,2}}(?:and|im|i am) "
     rf"(?:doing it|going to do it|gonna do it)\b"),
    ("hurt myself, no subject", "self_harm", "clear", "self",
     r"(?:^|[.!?] )(?:just |again |have |had )?(?:hit|slapped|punched|scratched|burned|burnt|cut|bit|scalded|"
     r"carved|bashed|banged|whacked|pinched) (?:myself|my (?:own )?(?:face|arms?|legs?|thighs?|wrists?|skin|head|"
     r"stomach|hands?|chest))\b(?! (?:on the (?:cupboard|door|table|desk|corner|shelf|oven|stove|pan)|shaving|"
     r"on (?:the|a|an|some|our|that|this) (?!(?:\S+ )?(?:wall|walls|floor|floors|ground|mirror|window)\b)"
     r"(?!.{0,120}\b(?:" + _MEANT + r")\b)|"
     r"cooking|chopping|by accident|accidentally))|\b(?:scratched|scratching|scrubbed|scrubbing|picked|picking) "
     r"(?:\S+ ){0,2}(?:skin|arms?|legs?|face) raw\b|\b(?:held|hold|holding|kept|ran|running|put|putting) (?:\S+ "
     r"){0,4}(?:over|under|on|against|in|into) (?:\S+ ){0,3}(?:flame|fire|gas ring|hob|burner|scalding|boiling|"
     r"hot tap|candle|lighter) (?:\S+ ){0,5}(?:until|till|on purpose|as long as)\b|\b(?:scalding|boiling) "
     r"(?:\S+ ){0,3}over my (?:\S+ ){0,1}(?:hand|hands|arm|arms|skin|leg|legs) (?:\S+ ){0,3}(?:until|till|"
     r"on purpose)\b"),
    ("someone hurts me, anyone", "harm", "clear", "harm_from_others",
     r"\b(?:punched|slapped|choked|strangled|stabbed|kicked|struck|headbutted|smacked|throttled|battered|beat) "
     r"me (?!.{0,160}\b(?:by accident|accidentally|by mistake)\b)(?:in the (?:face|head|stomach|ribs|chest|van|yard|"
     r"street|car)|across the (?:face|head)|so hard|"
     r"twice|again|hard|until|unconscious|to the (?:floor|ground)|in front of|today|yesterday|last night|when|"
     r"because|for no reason)\b|"
     r"\bpulled (?:a |his |her |their )?(?:knife|gun|blade|machete) (?:on me|at me|when|and|out)\b|\b(?:am|was|"
     r"been|being|get|got|keeps? me|kept me|keep me) locked in (?:my|the|a|his|her) (?:room|house|flat|bathroom|"
     r"basement|cellar|cupboard|shed)\b|\blocked in (?:my|the) room (?:with no|without|since|for (?:hours|days))\b|"
     r"\b(?:sleeping|sleep|slept|staying|stay|stayed) (?:\S+ ){0,4}(?:because|cos|cause) (?:it is|its) safer than "
     r"(?:the house|home|being home|at home|my house|being there)\b|\bsafer (?:in my car|in the car|on the street|"
     r"outside|at work) than (?:at home|in the house|with (?:him|her|them))\b|\bthreatened to glass me\b"),
    ("someone else threatened", "harm", "clear", "someone_else",
     r"\b(?:husband|boyfriend|partner|ex|dad|father|stepdad|wife|girlfriend|son) (?:\S+ ){0,2}(?:will|is going to|"
     r"would|threatened to|says he will|said he would|going to|wants to|tried to) (?:\S+ ){0,1}(?:kill|hurt|beat|"
     r"shoot|stab|strangle|choke) (?:her|him|them)\b"),
)
RULES = RULES + tuple(_rule(*rule, hyperbole_silences=True, needs_intent=rule[1] == "self_harm")
                      for rule in _DEV4_RULES)

_DRUGS = (r"(?:pills|tablets|meds|medication|paracetamol|paracetomol|tylenol|ibuprofen|codeine|co codamol|tramadol|"
          r"oxy|oxycodone|xanax|diazepam|valium|sertraline|insulin|warfarin|painkillers|sleeping (?:pills|tablets)|"
          r"antidepressants|lithium|morphine|fentanyl)")
# A stated plan, a threat or another person's act told plainly, wherever it sits in a long check-in.
_PLAN_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("gone and not coming back", "intent", "clear", "self",
     rf"\b(?:i am|im|i will|ill|{_NOT_THIRD}(?:going to|gonna)) (?:\S+ ){{0,1}}(?:going to |gonna )?"
     r"(?:drive|walk|go|swim|jump|head) "
     r"(?:\S+ ){0,5}and (?:not|never) (?:come|coming) (?:back|home)\b(?! (?:till|until|for|before|in time|late|early|"
     r"tonight|today|this|that|right|straight|soon|with|after))|\b(?:going|go) over the side (?:next|this|"
     r"tonight|tomorrow)\b|\b(?:i am|im|i will|ill|" + _NOT_THIRD + r"(?:going to|gonna)) (?:\S+ ){0,1}"
     r"drive (?:the car |my car |the van |"
     r"my van )?(?:off|into) (?:the |a )?(?:quarry|cliff|cliffs|edge|bridge|river|sea|harbour|wall|tree)\b"),
    ("took them on purpose", "intent", "clear", "self",
     rf"\b(?:took|swallowed|downed|have taken) (?:a handful of|loads of|a bunch of|(?:\S+ )?extra|"
     rf"all (?:of )?(?:my|the)|(?:\S+ ){{0,2}}of my) (?:\S+ ){{0,1}}{_DRUGS} (?:\S+ ){{0,3}}(?:on purpose|"
     rf"to see what (?:would|will) happen|"
     rf"so i (?:would|will|wont|dont) (?:not )?wake)\b|\b(?:took|swallowed|downed) a handful of (?:my )?{_DRUGS}\b"),
    ("bought it, will use it", "intent", "clear", "self",
     r"\b(?:i|i have|ive) (?:\S+ ){0,1}(?:bought|got|ordered) (?:the |a |some )?(?:rope|rat poison|poison|"
     r"weed killer|antifreeze|charcoal) (?:\S+ ){0,4}(?:and (?:i am|im|i will|ill|going to)|for (?:tonight|"
     r"tomorrow|saturday|sunday|the weekend)|to (?:use|drink|take) (?:it|on myself))\b|\bplan to use it on myself\b"),
    ("someone else's act or plan", "intent", "clear", "someone_else",
     rf"\b(?:she|he|they) (?:\S+ ){{0,1}}(?:bought|got|has|had) (?:the |a |some )?(?:rope|rat poison|poison|"
     rf"weed killer|antifreeze) (?:\S+ ){{0,2}}(?:and|to) (?:will |is going to |was going to )?(?:drink|take|use|"
     rf"swallow)\b|\b(?:she|he|they) (?:will|would|is going to|said (?:she|he|they) would|says (?:she|he|"
     rf"they) will) try again\b|"
     rf"\b(?:she|he|they) (?:had|has|d|would) (?:taken|swallowed) (?:everything|all (?:her|his|their) {_DRUGS}|"
     rf"everything in (?:her|his|their) (?:cabinet|cupboard|drawer|bag))\b|\b(?:zich|zichzelf) (?:\S+ ){{0,2}}"
     rf"ophangt\b"),
    ("ending it, with a when", "intent", "clear", "self",
     rf"\b(?:i am|im|i will|ill|i have decided to|i decided to|{_NOT_THIRD}(?:going to|gonna)) "
     r"(?:\S+ ){0,1}end(?:ing)? it (?:all )?"
     r"(?:tonight|tomorrow|today|this week|this weekend|soon|for good|on (?:monday|tuesday|wednesday|thursday|friday|"
     r"saturday|sunday)|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b(?! with)"),
    ("a denial taken back", "intent", "clear", "self",
     r"\b(?:that is a lie|that was a lie|truth is|i lied|done pretending|i am not okay|i am not ok) (?:\S+ ){0,12}?"
     r"(?:i have a date|i am doing it|i will do it|i am going to do it|i am ending it|i will end it|bought the rope|"
     r"the pills are (?:right )?here|the rope is)\b|\b(?:dont|do not) (?:want|need) (?:you|anyone|anybody) to talk "
     r"me out of it\b"),
    ("the day i die", "intent", "clear", "self",
     r"\b(?:tomorrow|today|tonight|saturday|sunday|monday|tuesday|wednesday|thursday|friday)(?: is|s| s)? the day i "
     r"(?:die|end it|kill myself)\b"),
    ("smothered", "harm", "clear", "harm_from_others",
     r"\b(?:held|pressed|put|pushed|shoved) (?:a |the |his |her )?(?:pillow|hand|bag|cushion|plastic bag) (?:over|on|"
     r"against) my (?:face|mouth|nose)\b"),
    ("a threat to my body", "harm", "clear", "harm_from_others",
     r"\b(?:he|she|they) (?:would|will|is going to|was going to) (?:\S+ ){0,5}(?:put me through (?:the|a) "
     r"(?:wall|window|door)|beat me|break my (?:\S+ ){0,1}(?:legs|arms|arm|neck|jaw|face|fingers|nose)|burn me|"
     r"kick my head in|smash my face)\b|\b(?:catches|finds|sees) me (?:\S+ ){0,6}(?:again )?(?:i am|im) "
     r"dead (?:and (?:he|she|they) meant it|for real)\b|\bmake it look like i did it myself\b"),
)
RULES = RULES + tuple(_rule(*rule, hyperbole_silences=True) for rule in _PLAN_RULES)
RULES = (*RULES, _rule("starving myself", "self_harm", "clear", "self",
                       r"\b(?:starved|starving|starve) myself\b|\b(?:stopped|stopping|quit) eating on purpose\b|"
                       r"\b(?:skipped|skipping|skip) (?:food|meals|eating) (?:\S+ ){0,4}(?:to see if i can|on purpose|"
                       r"to punish|because i deserve)\b", needs_intent=True))

# A question about means that asks what would be fatal, certain or unnoticed: the lethality is in the question.
_MEANS = (r"(?:pills|tablets|meds|medication|paracetamol|tylenol|ibuprofen|insulin|sleeping pills|antidepressants|"
          r"rope|bridge|cliff|storeys|stories|floors|car park|train|trains|tracks|river|sea|lake|quarry|gun|rifle|"
          r"chemicals|bleach|gas|fall|drop|water)")
_MEANS_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("means, lethal questions", "means", "possible", "self",
     rf"\b(?:how|which|what|where|is it|is there|can you|can i|could i|could you|would|does|do) (?:\S+ ){{0,8}}"
     rf"{_MEANS}\b (?:\S+ ){{0,8}}(?:fatal|lethal|guaranteed|certain|be enough|enough to|survive|survivable|kill "
     rf"(?:you|someone|a person|me)|all at once|at once|too much|fatality|without (?:\S+ ){{0,2}}asking|no "
     rf"fence|without a fence|painless)\b|\bhow long (?:would|does|did|before|until|till) (?:it take )?(?:\S+ ){{0,3}}"
     rf"(?:someone|a person|you|somebody|anyone) (?:\S+ ){{0,2}}(?:last|survive|finds? (?:you|them|me)|notices?|"
     rf"stops? breathing)\b|\bis it (?:painful|quick|peaceful) to (?:drown|hang|die|jump|bleed|freeze|overdose)\b|"
     rf"\bhow (?:long|quick|quickly|fast) (?:does|do|would|will|did) (?:it take )?(?:to )?(?:hanging|drowning|"
     rf"an overdose|overdosing|bleeding out|carbon monoxide|co poisoning|hypothermia|freezing) (?:take|work|kill)\b"),
)
RULES = RULES + tuple(_rule(*rule) for rule in _MEANS_RULES)

# Found in dev15 (a blind development set, weighted to danger told by what was done): an injury someone gave, a
# weapon held to the body, a friend who has cut, a place named before the act.
_NOT_BY_ACCIDENT = (r"(?!.{0,120}\b(?:by accident|accidentally|by mistake|on (?:a|the) (?:fence|glass|tin|can|nail|"
                    r"corner)|playing|training|sparring|match|game|opening|cooking|chopping|shaving)\b)")
_DEV15_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("injured by someone", "harm", "clear", "harm_from_others",
     rf"\b{_PEOPLE} (?:\S+ ){{0,3}}(?:split|busted|bust|broke|broken|cracked|bloodied|fractured) my "
     rf"(?:lip|lips|nose|rib|ribs|jaw|tooth|teeth|eye socket|cheekbone|cheek|eyebrow|arm|wrist|fingers?)\b"
     rf"{_NOT_BY_ACCIDENT}|\b{_PEOPLE} "
     rf"(?:\S+ ){{0,3}}(?:gave|gives|give|left) me (?:a )?(?:black eye|fat lip|split lip|bloody nose|concussion|"
     rf"bruises|bruise)\b{_NOT_BY_ACCIDENT}"),
    ("a weapon held to me", "harm", "clear", "harm_from_others",
     r"\b(?:held|holds|holding|put|puts|putting|pressed|presses|pressing|pointed|points|pointing|waved|waving|"
     r"pulled|pulls) (?:a |his |her |their |the |my )?(?:\S+ )?(?:knife|gun|blade|razor|machete|pistol|shotgun|"
     r"rifle|hammer|bat|screwdriver) (?:to|at|against|on|in) (?:my (?:throat|neck|head|face|chest|stomach|belly|"
     r"back|ribs|temple)|me)\b"),
    ("someone else cut", "self_harm", "clear", "someone_else",
     rf"\b{OTHER} (?:\S+ ){{0,2}}(?:slit|slashed|cut|opened|sliced|carved) (?:open )?(?:her|his|their) (?:own )?"
     rf"(?:wrists?|veins|throat|arms?|thighs?)\b{_NOT_BY_ACCIDENT}"),
    ("a place, then the act", "intent", "clear", "self",
     rf"\b(?:going|heading|walking|driving|off|go|drive|walk|climbing|climb) (?:up |out )?to (?:the |a |that |"
     rf"this )?(?:\S+ )?{_PLACES_TO_FALL} (?:\S+ ){{0,4}}(?:and )?(?:im |i am |i will |ill |going to |gonna )"
     rf"(?:jump|jumping|going over|throw myself|throwing myself|stepping off|step off)\b(?! (?:in|into|on|around|"
     rf"for|up and down|with))"),
)
RULES = RULES + tuple(_rule(*rule, hyperbole_silences=True) for rule in _DEV15_RULES)

# Found in dev24 to dev34 (blind development sets, read as they arrived): an attempt given a day, the attempt that
# "works", a threat to burn the house with the writer in it, a grip on the neck, someone else who bought the means,
# a name carved into the skin, lying on the tracks, a blade used by a stranger, a dose "before you don't wake up", a
# poison "detectable after someone dies", someone else beaten by their partner, the man of the house who hits the
# writer, and a crisis line asked about.
_DEV24_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("an attempt given a day", "intent", "clear", "self",
     r"(?:^|\b(?:i am|i will|going to|gonna|planning to|plan to|ready to|decided to) )(?:attempting|attempt)(?: "
     r"again| it)? (?:tonight|today|tomorrow|tmrw|this weekend|on (?:mon|tues|wednes|thurs|fri|satur|sun)day)\b"),
    ("the attempt that works", "intent", "clear", "self",
     r"\b(?:next|\S{1,2}(?:st|nd|rd|th)|second|third|fourth|fifth|last) (?:sa|attempt)\b(?! (?:at|on|to|in|of))"
     r"(?: \S+){0,5} (?:the one|will work|works|is going to work|gonna work|goes through)\b"),
    ("burned in the house", "harm", "clear", "harm_from_others",
     r"\b(?:burn|burning|set fire to|torch|crash|crashing|drive|driving) (?:\S+ ){0,4}with (?:me|us|the kids|my kids|"
     r"the baby|me and the kids) (?:still )?(?:in it|inside|in the car|in there)\b"),
    ("a grip on the neck", "harm", "clear", "harm_from_others",
     r"\b(?:grabbed|grabs|grabbing|took|held|holds|holding|had|pinned) me (?:up )?by (?:the|my) (?:neck|throat)\b"),
    ("someone else bought the means", "means", "possible", "someone_else",
     rf"\b{OTHER} (?:has |have |had |is |s )?(?:\S+ )?(?:bought|buying|got|ordered|ordering|getting|hiding|hid) "
     r"(?:a |the |some |himself a |herself a )?(?:rope|noose|helium|charcoal|gun|pistol|rifle)\b(?! (?:for|to|swing|"
     r"ladder|course|range|license|licence|safe))"),
    ("carved into the skin", "self_harm", "clear", "self",
     r"\b(?:carved|etched) (?:\S+ ){0,3}into my (?:own )?(?:leg|legs|arm|arms|skin|thigh|"
     r"thighs|wrist|wrists|stomach|hip|hips|hand|chest|forearm|ankle)\b"),
    ("on the tracks", "intent", "possible", "self",
     r"\btrain\b.{0,80}\b(?:be|lie|lying|stand|standing|wait|waiting) on the (?:track|tracks|line|rails)\b|\b(?:i will|"
     r"i am going to|going to|gonna) (?:be|lie|stand|wait) on the (?:tracks|rails|railway|railway line|train line)\b"),
    ("cut by a stranger", "harm", "clear", "harm_from_others",
     rf"\b(?:guys?|men|man|boys?|someone|somebody|a stranger|strangers|he|she|they|them|{_PEOPLE}) (?:\S+ ){{0,8}}"
     rf"(?:stabbed|slashed|knifed|cut) (?:me|my (?:hand|arm|arms|face|neck|side|back|leg|chest))\b{_NOT_BY_ACCIDENT}"),
    ("a dose you do not wake up from", "means", "possible", "self",
     r"\b(?:max|maximum|how much|how many|what dose|which dose|what amount|what is the most) (?:\S+ ){0,6}(?:before|"
     r"until|till|so|and) (?:you|i|someone|a person|they|u) (?:\S+ )?(?:do not|dont|never|will not|wont|would not|"
     r"wouldnt) wake up\b(?! (?:groggy|tired|with|feeling|hungover|in the|until|till|at|before))"),
    ("found after death", "means", "possible", "self",
     r"\b(?:detectable|detected|show up|shows up|traceable|be traced|be found) (?:\S+ ){0,4}(?:after (?:someone|a "
     r"person|you|somebody|i) (?:dies|die|died|is dead|am dead)|in (?:an |the )?(?:autopsy|post mortem|postmortem))\b"),
    ("someone else beaten at home", "harm", "clear", "someone_else",
     rf"\b{OTHER} (?:\S+ ){{0,2}}(?:is|was|has been|keeps|gets|got|s) (?:being |getting )?(?:beaten|hit|abused|"
     r"strangled|choked|battered|kicked|punched|slapped|raped|threatened) (?:\S+ ){0,3}by (?:her|his|their) "
     r"(?:\S+ )?(?:husband|wife|partner|boyfriend|girlfriend|dad|father|mum|mom|mother|stepdad|stepfather|son|ex|"
     r"fiance)\b"),
    ("hit by the man of the house", "harm", "clear", "harm_from_others",
     r"\bthe (?:man|woman|guy|lady|owner|person|landlord|landlady) (?:\S+ ){0,5}(?:hits|beats|slaps|kicks|punches|"
     r"chokes|hit|beat|slapped|kicked|punched|choked) (?:me|us)\b(?! (?:right |so |really )?(?:in the feels|"
     r"different|differently|like))"),
    ("a crisis line asked about", "means", "possible", "self",
     r"\b(?:call|calling|called|text|texting|texted|ring|ringing|dial|dialing|dialling) (?:to )?(?:the )?(?:988|"
     r"crisis (?:line|text line|hotline)|suicide (?:line|hotline|helpline))\b(?! (?:for (?:my|a|her|him)|with my))|"
     r"\b988 (?:call|calls|text|texts|line)\b"),
)
RULES = RULES + tuple(_rule(*rule, hyperbole_silences=True) for rule in _DEV24_RULES)

# Found in dev38 to dev42 (an eighth session's blind sets, read as they arrived): a next attempt that will "get it
# right", a train named by its time, a way already decided.
_DEV38_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("a next attempt that works", "intent", "clear", "self",
     r"\b(?:tried|attempt\w*|failed|survived|woke up|did not work|didnt work)\b.{0,120}\b(?:get|got|do) it right "
     r"(?:this|the (?:next|second|third|fourth)|next) time\b|\b(?:this|the (?:next|second|"
     r"third|fourth)|next) time (?:i will|i ll|it will|it ll|i am going to|im going to|"
     r"im gonna) (?:\S+ ){0,2}(?:get it "
     r"right|make sure it works|do it properly|not (?:fail|mess it up|wake up|survive))\b"),
    ("a train named by its time", "intent", "clear", "self",
     r"\b(?:step|stepping|walk|walking|jump|jumping|throw myself|throwing myself|lie|lying|run|running|go|going) "
     r"(?:out )?(?:in front of|under) the [0-9]{1,2} [0-9]{2}\b"),
    ("a way decided", "intent", "clear", "self",
     r"\b(?:made up my mind|decided|worked out|figured out|know exactly) how (?:i am|im) (?:going to )?(?:do|"
     r"doing) it\b"),
)
RULES = RULES + tuple(_rule(*rule, hyperbole_silences=True) for rule in _DEV38_RULES)
CONTEXT_CHARS = 120


@cache
def _without_lookarounds(pattern: str) -> str:
    """The pattern with its look-ahead and look-behind groups removed: it then matches at least wherever the
    original does, which is all a pre-filter needs, and RE2 accepts it. Worked out once a rule (its sets, long and
    short, and its own RE2 form all need it)."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith(("(?!", "(?=", "(?<!", "(?<="), index):
            depth, cursor = 0, index
            while cursor < len(pattern):
                char = pattern[cursor]
                if char == "\\":
                    cursor += 2
                    continue
                depth += char == "("
                depth -= char == ")"
                if depth == 0:
                    break
                cursor += 1
            index = cursor + 1
            continue
        step = 2 if pattern[index] == "\\" else 1
        out.append(pattern[index:index + step])
        index += step
    return "".join(out)


LONG_LINE = 2_000  # from this length Python reads a rule only where its RE2 form matched
LOOK_AHEAD_CHARS = 200  # past the end of an RE2 match, enough for every rule's look-ahead
# Rules per RE2 set. A set's DFA has a state for each mix of its rules' partly matched gaps ("(?:\S+ ){0,4}"), so
# for a long line a set holds rules only until their patterns reach SET_PATTERN_CHARS (large patterns get sets of
# their own or nearly): one set of every rule, or sets of fourteen, kept building states on every new long message.
# For a short line a call to a set costs more than the states it builds, so its sets are plainly SHORT_SET_SIZE.
SET_SIZE = 12
SET_PATTERN_CHARS = 3_000
SHORT_SET_SIZE = 14


def _rule_sets(indices: Sequence[int], size: int, chars: int | None = None) -> list[tuple[tuple[int, ...], Any]] | None:
    """RE2 sets of the rules without their look-arounds (so each matches wherever its rule could), each with the
    indices of its rules, in order, at most `size` rules a set and, given `chars`, no more pattern than that in a
    set of more than one rule; or None."""
    try:
        import re2
    except ImportError:
        return None
    chunks: list[list[tuple[int, str]]] = []
    for index in indices:
        pattern = _without_lookarounds(RULES[index].pattern.pattern.replace("(?P<d>", "(?:"))
        if not chunks or len(chunks[-1]) >= size or (
                chars is not None and sum(len(kept) for _index, kept in chunks[-1]) + len(pattern) > chars):
            chunks.append([])
        chunks[-1].append((index, pattern))
    sets: list[tuple[tuple[int, ...], Any]] = []
    for chunk in chunks:
        options = re2.Options()
        options.max_mem = 8 << 20
        rules = re2.Set.SearchSet(options)
        for _index, pattern in chunk:
            rules.Add(pattern)
        rules.Compile()
        sets.append((tuple(index for index, _pattern in chunk), rules))
    return sets


_GERMAN_RULES = [index for index, rule in enumerate(RULES) if rule.name.startswith("de:")]
_SETS = _rule_sets(range(len(RULES)), SET_SIZE, SET_PATTERN_CHARS)
_GERMAN_SETS = _rule_sets(_GERMAN_RULES, SET_SIZE, SET_PATTERN_CHARS)  # the umlaut-folded line is read by these only
_SHORT_SETS = _rule_sets(range(len(RULES)), SHORT_SET_SIZE)
_GERMAN_SHORT_SETS = _rule_sets(_GERMAN_RULES, SHORT_SET_SIZE)


def _plain_rules() -> list[Any]:
    """Each rule without its look-arounds, compiled by RE2 (linear): it matches wherever the rule could. Compiled
    at start-up (about 40 ms and 2 MB for every rule), not by the first long message that needs one."""
    if _SETS is None:
        return []
    import re2

    options = re2.Options()
    options.max_mem = 8 << 20
    return [re2.compile(_without_lookarounds(rule.pattern.pattern.replace("(?P<d>", "(?:")), options) for rule in RULES]


_PLAIN = _plain_rules()
