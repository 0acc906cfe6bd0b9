"""The grammar in German, Spanish, French, Portuguese and Dutch, the languages of the countries `/settings`
offers. The rules read the same accent-free, lower-case line as the English ones ("schlägt" is "schlagt",
"não" is "nao", "j'ai" is "j ai"); the semantic layer stays English-only (see docs/safety.md).
"""

from __future__ import annotations

# A dose asked for a headache or a fever, per day: a question about taking medicine, not about dying, unless a
# word of death is near.
_DOSING = (r"(?!(?=.{0,100}\b(?:per dag|pro tag|am tag|al dia|por dia|par jour|bij (?:koorts|hoofdpijn|kiespijn|griep|"
           r"pijn)|voor (?:hoofdpijn|koorts|kiespijn)|bei (?:kopfschmerzen|fieber|erkaltung|zahnschmerzen|migrane)|"
           r"gegen (?:kopfschmerzen|fieber|schmerzen)|para (?:el |la )?(?:dolor|fiebre|gripe|resfriado|migrana|"
           r"jaqueca)|pour (?:une |la |le |les |un )?(?:migraine|fievre|rhume|grippe|mal de)|contre (?:la |le |les )?"
           r"(?:migraine|fievre|douleur)|(?:pra|para) (?:a |o )?(?:dor|febre|gripe|enxaqueca|resfriado|constipacao))\b)"
           r"(?!.{0,100}\b(?:dodelijk|dood|todlich|tot|sterben|letal|letale|mortal|mortelle|mourir|morir|morrer|"
           r"fatal)\b))")

# (name, category, level, about, pattern); built into grammar.GrammarRule objects by bot/safety/grammar.py.
LANGUAGE_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    # --- Deutsch
    ("de: will nicht mehr leben", "intent", "clear", "self",
     r"\b(?:will|mochte|mag|moechte|werde|wurde|wuerde|wollte) (?:\S+ ){0,3}(?:nicht mehr leben|sterben|tot sein|"
     r"nicht mehr da sein|nicht mehr existieren)\b"),
    ("de: mich umbringen", "intent", "clear", "self",
     r"\b(?:mich|mir) (?:\S+ ){0,3}(?:umbringen|umzubringen|das leben nehmen|erhangen|erschiessen|vergiften|"
     r"toten)\b|\bbring(?:e)? mich (?:\S+ ){0,3}um\b|\b(?:selbstmord|suizid|suizidal|suizidgedanken|"
     r"suizidgefahrdet|lebensmude)\b"),
    ("de: ritzen", "self_harm", "clear", "self",
     r"\b(?:geritzt|ritze mich|mich ritzen|ritzen|selbstverletzung|verletze mich (?:selbst|wieder)|mich selbst "
     r"(?:verletzen|verletzt))\b"),
    ("de: kein sinn", "hopelessness", "possible", "self",
     r"\b(?:keinen sinn mehr|kein sinn mehr|hat alles keinen sinn|hat keinen sinn mehr)\b|\bmude vom leben\b|"
     r"\bkeinen bock mehr auf (?:dieses |das |mein )?leben\b|\b(?:kann|will) (?:so )?nicht mehr weitermachen\b|"
     r"\bfur immer (?:weg|verschwinden)\b|\b(?:weg sein|verschwinden) fur immer\b|\bbald (?:ist (?:es|alles) )?"
     r"vorbei\b|\beinen plan wie ich es\b"),
    ("de: ohne mich", "burden", "possible", "self",
     r"\b(?:besser dran|besser) (?:\S+ ){0,1}ohne mich\b|\bohne mich besser\b|\b(?:bin|fuhle mich wie) (?:nur |"
     r"einfach |so |echt )?(?:eine )?(?:last|belastung)\b"),
    ("de: nicht mehr aufwachen", "wish_not_exist", "possible", "self",
     r"\bnicht mehr aufwachen\b|\bnie (?:mehr )?aufwachen\b|\bnie geboren\b"),
    ("de: tabletten", "means", "possible", "self",
     rf"\bwie viele (?:\S+ ){{0,2}}(?:tabletten|schlaftabletten|pillen)\b{_DOSING}|"
     r"\btodlich(?:e dosis)?\b|\babschiedsbrief"),
    ("de: schlagt mich", "harm", "clear", "harm_from_others",
     r"\b(?:schlagt|schlug|wurgt|wurgte|bedroht|misshandelt|tritt|verprugelt|vergewaltigt|erpresst) mich\b|"
     r"\bhat mich (?:\S+ ){0,2}(?:geschlagen|gewurgt|bedroht|verprugelt|vergewaltigt|getreten|eingesperrt)\b|"
     r"\b(?:gedroht|droht) (?:mich|mir) (?:\S+ ){0,2}(?:umzubringen|umbringen|zu toten|weh zu tun)\b|"
     r"\b(?:zu ?hause|zuhause|daheim|bei ihm|bei ihr) (?:\S+ ){0,1}nicht (?:mehr )?sicher\b|\bnicht sicher "
     r"(?:zu ?hause|zuhause|daheim|bei ihm)\b|\bangst vor (?:meinem|meiner|ihm|ihr)\b(?! chef| prufung)|"
     r"\b(?:hausliche gewalt|gewalt zu ?hause)\b|\btut mir weh\b"),
    ("de: jemand anderes", "intent", "clear", "someone_else",
     r"\b(?:sie|er) (?:\S+ ){0,4}sich (?:\S+ ){0,2}(?:umbringen|umbringt|toten|das leben nehmen|ritzt|verletzt)\b"),
    # --- Español
    ("es: quiero morir", "intent", "clear", "self",
     r"\b(?:quiero|quisiera|voy a|pienso en|deseo|ganas de) (?:\S+ ){0,2}(?:morir|morirme|matarme|suicidarme|"
     r"quitarme la vida|acabar con (?:mi vida|todo))\b|\bme (?:quiero|voy a) (?:matar|morir|suicidar)\b|\bno "
     r"quiero (?:\S+ ){0,2}(?:vivir|seguir viviendo|despertar)\b|\b(?:suicidio|suicida|suicidarme|autolesion|"
     r"autolesiones)\b"),
    ("es: me corto", "self_harm", "clear", "self",
     r"\bme (?:corte|corto|cortaba|lastimo|quemo|golpeo)\b(?! el pelo| las unas| con papel| con una hoja| cocinando|"
     r" el dedo| un dedo| la lengua| la mano (?:con|pelando|picando|cocinando)|"
     r" sin querer| afeitandome)|"
     r"\b(?:cortarme|lastimarme|hacerme dano)\b"),
    ("es: sin sentido", "hopelessness", "possible", "self",
     r"\bno (?:le )?veo (?:\S+ )?sentido (?:a nada|a la vida|a vivir|a seguir)\b|\bno tiene sentido (?:vivir|"
     r"seguir)\b|\bcansad[oa] de (?:existir|vivir|la vida)\b|\bdesaparecer (?:para siempre|y que nadie)\b|"
     r"\bya no (?:puedo|aguanto) (?:mas )?(?:vivir|con la vida)\b"),
    ("es: mejor sin mi", "burden", "possible", "self",
     r"\bmejor sin mi\b|\b(?:soy|me siento) (?:una )?(?:carga|estorbo)\b"),
    ("es: ojala no despertar", "wish_not_exist", "possible", "self",
     r"\b(?:ojala|quisiera) (?:\S+ ){0,1}(?:no )?(?:despertar|despertara|estar muert[oa]|desaparecer|no existir|"
     r"no haber nacido)\b"),
    ("es: pastillas", "means", "possible", "self",
     rf"\bcuantas (?:\S+ ){{0,2}}(?:pastillas|pildoras)\b{_DOSING}|"
     r"\bdosis (?:letal|mortal)\b|\bcarta de despedida\b"),
    ("es: me pega", "harm", "clear", "harm_from_others",
     r"\bme (?:pega|pegaba|pego|golpea|golpeo|amenaza|amenazo|maltrata|viola|violo|ahorca|estrangula|"
     r"estrangulo|empuja|patea|hace dano)\b|\b(?:amenazo|amenaza) con matarme\b|\bno me siento segur[oa] "
     r"(?:en casa|con el|con ella|en mi casa)\b|\bmiedo (?:a|de) (?:mi )?(?:pareja|esposo|marido|novio|padre|"
     r"padrastro)\b|\bviolencia (?:domestica|de genero)\b"),
    ("es: alguien mas", "intent", "clear", "someone_else",
     r"\bse va a (?:matar|suicidar)\b|\bquiere (?:matarse|suicidarse|morirse)\b|\bva a quitarse la vida\b"),
    # --- Français
    ("fr: je veux mourir", "intent", "clear", "self",
     r"\b(?:je veux|jveux|envie de|je vais|je voudrais|je pense a|j ai envie d) (?:\S+ ){0,2}(?:mourir|me tuer|"
     r"me suicider|en finir|mettre fin a mes jours)\b|\b(?:me suicider|suicidaire|mettre fin a mes jours)"
     r"\b|\bne (?:veux|veut) plus vivre\b|\bplus envie de vivre\b|\ben finir\b"),
    ("fr: me scarifier", "self_harm", "clear", "self",
     r"\b(?:me scarifier|scarifiee?|scarification|me mutiler|me faire du mal)\b|\bje me (?:coupe|scarifie|"
     r"brule|suis (?:encore |de nouveau )?(?:coupee?|scarifiee?|brulee?))\b(?! en cuisinant| avec le four|"
     r" en [a-z]+ant\b| par accident)"),
    ("fr: raison de vivre", "hopelessness", "possible", "self",
     r"\b(?:aucune|plus de|pas de|plus aucune) raison de (?:vivre|continuer)\b|\bj en peux plus de vivre\b|"
     r"\b(?:envie de|veux) disparaitre\b"),
    ("fr: mieux sans moi", "burden", "possible", "self",
     r"\bmieux sans moi\b|\b(?:un poids|un fardeau|une charge) pour\b|\bje suis un (?:poids|fardeau)\b"),
    ("fr: ne jamais me reveiller", "wish_not_exist", "possible", "self",
     r"\b(?:ne jamais|ne plus|pas) me reveiller\b"),
    ("fr: comprimes", "means", "possible", "self",
     rf"\bcombien de (?:\S+ ){{0,2}}(?:comprimes|cachets|pilules)\b{_DOSING}|"
     r"\bdose (?:mortelle|letale)\b|\blettre d ?adieu\b"),
    ("fr: il me frappe", "harm", "clear", "harm_from_others",
     r"\bme (?:frappe|bat|menace|gifle|etrangle|viole)\b|\bm a (?:\S+ ){0,1}(?:frappee?|menacee?|etranglee?|"
     r"battue?|violee?|poussee?|giflee?)\b|\bpas en securite (?:chez moi|a la maison|avec lui)\b|\bpeur de (?:mon|"
     r"ma) (?:mari|copain|compagnon|pere|beau pere|femme|copine)\b|\bviolences? conjugales?\b|\bpeur de rentrer\b"),
    ("fr: quelqu un d autre", "intent", "clear", "someone_else",
     r"\b(?:elle|il) (?:\S+ ){0,3}(?:se suicider|se tuer|en finir|mettre fin a ses jours)\b|\bmessage d ?adieu\b"),
    # --- Português
    ("pt: quero morrer", "intent", "clear", "self",
     r"\b(?:quero|vou|queria|penso em|pensando em|vontade de) (?:\S+ ){0,2}(?:morrer(?! de (?:rir|fome|sede|calor|"
     r"frio|sono|vergonha|tedio|saudade|saudades|cansaco|medo|inveja|amor|ciume|ciumes|curiosidade))|me matar|tirar "
     r"(?:a )?minha "
     r"vida|acabar com (?:a )?minha vida)\b|\bnao quero (?:\S+ ){0,2}(?:viver|acordar)\b|\b(?:suicidio|suicida|"
     r"automutilacao)\b"),
    ("pt: sem sentido", "hopelessness", "possible", "self",
     r"\bnada (?:mais )?faz sentido\b|\bnao tem sentido (?:viver|continuar)\b|\bcansad[oa] de viver\b|"
     r"\b(?:sumir|desaparecer) (?:pra|para) sempre\b"),
    ("pt: melhor sem mim", "burden", "possible", "self",
     r"\bmelhor sem mim\b|\bsou (?:um|uma) (?:peso|fardo)\b"),
    ("pt: nao acordar", "wish_not_exist", "possible", "self", r"\bnao acordar mais\b|\bdormir e nao acordar\b"),
    ("pt: comprimidos", "means", "possible", "self",
     rf"\bquantos (?:\S+ ){{0,3}}(?:comprimidos|remedios|pilulas)\b{_DOSING}|"
     r"\bdose (?:letal|fatal)\b|\bcarta de despedida\b"),
    ("pt: me bate", "harm", "clear", "harm_from_others",
     r"\bme (?:bate|batia|bateu|ameaca|ameacou|machuca|estuprou|enforcou|empurrou|agride|agrediu|espanca|"
     r"espancou)\b|\bameacou (?:me )?matar\b|\bameacou de morte\b|\bnao me sinto segur[oa] (?:em casa|com ele)\b|"
     r"\bmedo (?:do|da) (?:meu |minha )?(?:namorado|marido|pai|padrasto|companheiro|namorada|esposa)\b|"
     r"\bviolencia domestica\b"),
    ("pt: outra pessoa", "intent", "clear", "someone_else",
     r"\b(?:vai|quer) se matar\b|\bvai tirar a (?:propria )?vida\b"),
    # --- Nederlands
    ("nl: ik wil dood", "intent", "clear", "self",
     r"\b(?:wil|ga|zou willen|wou) (?:\S+ ){0,2}(?:dood(?! van| aan)|niet meer leven|zelfmoord plegen|mezelf "
     r"(?:van kant maken|doden|ophangen))\b|\b(?:zelfmoord|suicidaal|zelfdoding)\b|\bniet meer "
     r"(?:willen )?leven\b|\bvan kant maken\b|\been eind(?:e)? aan (?:mijn|m n|mn) leven\b"),
    ("nl: mezelf snijden", "self_harm", "clear", "self",
     r"\b(?:zelfbeschadiging|mezelf (?:\S+ ){0,1}(?:gesneden|snijden|pijn doen|iets aandoen|beschadigen|"
     r"gekrast|krassen))\b"),
    ("nl: geen zin", "hopelessness", "possible", "self",
     r"\b(?:het nut|de zin) (?:er )?niet meer (?:van )?in\b|\bgeen zin meer in (?:het )?leven\b|\bvoor altijd "
     r"verdwijnen\b|\bverdwijnen en nooit meer\b"),
    ("nl: beter af zonder mij", "burden", "possible", "self",
     r"\bbeter af zonder mij\b|\b(?:een last|een blok aan het been) voor\b"),
    ("nl: niet meer wakker", "wish_not_exist", "possible", "self", r"\bniet meer wakker (?:word|worden)\b"),
    ("nl: pillen", "means", "possible", "self",
     rf"\bhoeveel (?:\S+ ){{0,2}}(?:is dodelijk|pillen|paracetamol)\b{_DOSING}|"
     r"\bdodelijke dosis\b|\bafscheidsbrief\b"),
    ("nl: slaat me", "harm", "clear", "harm_from_others",
     r"\b(?:slaat|sloeg|schopt|wurgt|bedreigt|mishandelt|verkracht|duwt) (?:me|mij)\b|\bheeft (?:me|mij) "
     r"(?:\S+ ){0,1}(?:geslagen|gewurgd|bedreigd|mishandeld|verkracht|geschopt)\b|\bgedreigd (?:me|mij) "
     r"(?:\S+ ){0,2}(?:aan te doen|te vermoorden|pijn te doen)\b|\b(?:thuis|bij hem) niet (?:meer )?veilig\b|"
     r"\bniet veilig (?:thuis|bij hem)\b|\bbang (?:voor|van) (?:mijn|m n) (?:man|vriend|vader|stiefvader|partner|"
     r"vrouw|vriendin|moeder)\b|\bhuiselijk geweld\b|\bgaat (?:me|mij) vermoorden\b"),
    ("nl: iemand anders", "intent", "clear", "someone_else",
     r"\b(?:ze|hij|zij) (?:\S+ ){0,4}(?:een eind(?:e)? aan maakt|zelfmoord|van kant|zichzelf (?:iets aan|"
     r"doden|snijden))\b"),
)


# --- Slot tables: each language's subjects, wishes, predicates and modifiers, combined into rules by `_slots`, so a
# new phrasing of the same idea ("ich möchte einfach nicht mehr da sein", "tô pensando em sumir pra sempre") needs no
# new entry. A gap word is any word but a negation ("ich will nicht sterben" is a denial, not a wish).
def _gap(negations: str, most: int) -> str:
    return rf"(?:(?!(?:{negations}) )\S+ ){{0,{most}}}"


_DE_NEG = r"nicht|nie|niemals|kein|keine|nimmer"
_DE_WANT = (r"(?:will|willst|wollte|mochte|moechte|mocht|mag|werde|werd|wurde|wuerde|wurd|muss|plane|kann es kaum "
            r"erwarten|hab(?:e)? (?:keine )?lust|denke (?:\S+ ){0,3}(?:dran|daran|darueber|daruber)|uberlege|ueberlege|"
            r"hab(?:e)? vor|hab(?:e)? beschlossen|sehne mich danach|wunschte ich konnte|wunsche mir)")
_DE_DEATH = (r"(?:sterben|tot sein|nicht mehr (?:leben|da sein|hier sein|existieren|aufwachen|weitermachen|"
             r"weiterleben)|"
             r"mich (?:\S+ ){0,2}(?:umbringen|umzubringen|toten|zu toten|erhangen|aufhangen|erschiessen|vergiften|"
             r"ertranken|vor (?:den|einen) zug (?:werfen|zu werfen))|mir (?:\S+ ){0,2}(?:das leben (?:nehmen|"
             r"zu nehmen)|"
             r"was antun|etwas antun|was anzutun|etwas anzutun|die pulsadern aufschneiden)|(?:mit allem|mit dem leben) "
             r"schluss machen|schluss machen mit (?:allem|dem leben|meinem leben)|allem ein ende (?:setzen|machen)|"
             r"(?:meinem|dem) leben ein ende (?:setzen|machen|bereiten)|mein leben beenden|alles beenden|"
             r"fur immer (?:verschwinden|weg sein)|einschlafen und nicht mehr aufwachen|"
             r"von (?:der|einer) brucke (?:springen|zu springen))")
_ES_NEG = r"no|nunca|jamas"
_ES_WANT = (r"(?:quiero|quisiera|queria|kiero|qiero|voy a|vo a|pienso en|estoy pensando en|pensando en|he pensado en|"
            r"tengo ganas de|ganas de|deseo|necesito|me gustaria|prefiero|planeo|estoy planeando|decidi|he decidido|"
            r"me dan ganas de|solo quiero|ojala pudiera|quiero ya)")
_ES_DEATH = (r"(?:morir(?:me)?(?! de (?:risa|hambre|sed|calor|frio|sueno|verguenza|aburrimiento|ganas|envidia|amor))|"
             r"matarme|suicidarme|quitarme la vida|acabar con (?:mi vida|todo|esto|mi existencia)|terminar con (?:mi "
             r"vida|todo)|desaparecer(?: para siempre|(?! (?:el|este|un|unos|unas|de las redes|del grupo|"
             r"del mapa un)))|dejar de (?:existir|vivir|respirar)|no existir|no despertar|"
             r"dormir y no despertar|tirarme (?:de|del|desde|a las vias|al tren|por)|lanzarme (?:de|del|desde|al)|"
             r"colgarme|ahorcarme|cortarme las venas|estar muert[oa]|no estar aqui|irme para siempre|"
             r"no vivir mas|no seguir viviendo)")
_FR_NEG = r"ne|pas|jamais|plus"
_FR_WANT = (r"(?:je veux|jveux|j veux|je voudrais|j voudrais|j aimerais|je vais|jvais|j vais|envie de|j ai envie d?e?|"
            r"je pense a|je pense serieusement a|je compte|je prevois de|je suis pret[e]? a|il faut que je|"
            r"je reve de|je songe a|je prefererais)")
_FR_DEATH = (r"(?:mourir(?! de (?:rire|faim|soif|chaud|froid|honte|ennui|envie))|me tuer|me suicider|me (?:foutre|"
             r"mettre) en l air|en finir(?! avec (?:ce|cette|ces|mon|ma|mes) (?:dossier|projet|boulot|travail|"
             r"rapport|taches|corvee|menage))|mettre fin a (?:mes jours|ma vie|tout)|disparaitre(?: pour toujours| a "
             r"jamais|(?! (?:quelques|un|une|le|ce|des|du)))|ne plus (?:exister|etre la|me reveiller|vivre)|"
             r"sauter (?:du|d un|de la|par la fenetre|sous)|"
             r"me pendre|me jeter (?:sous|du|d un|de la|par)|crever(?! de)|dormir pour toujours|partir pour toujours)")
_PT_NEG = r"nao|nunca|jamais"
_PT_WANT = (r"(?:quero|queria|vou|to pensando em|estou pensando em|tou pensando em|penso em|pensando em|vontade de|"
            r"tenho vontade de|pretendo|planejo|to planejando|preciso|desejo|gostaria de|so quero|decidi|"
            r"eu ia|queria muito)")
_PT_DEATH = (r"(?:morrer(?! (?:de|se|com|disso|nisso|kkk|aqui))|me matar|"
             r"tirar (?:a )?(?:minha )?(?:propria )?vida|acabar com (?:a )?(?:minha vida|tudo|isso tudo)|"
             r"(?:sumir|desaparecer)(?: pra sempre| para sempre| de vez|(?! (?:do|da|das|dos|por|uns|um|hoje|no|"
             r"na)))|nao existir|"
             r"deixar de existir|nao acordar|dormir (?:pra|para) sempre|me enforcar|pular (?:da|de|do) "
             r"(?:ponte|predio|janela|prediozinho|viaduto|sacada|alto)|me jogar (?!de cabeca|no (?:mar|sofa|trabalho|"
             r"projeto|chao da sala)|na (?:cama|piscina|praia|festa|pista|agua))(?:da|de|do|na frente|no)|"
             r"estar mort[oa]|nao estar aqui|parar de viver)")
_NL_NEG = r"niet|nooit|geen"
_NL_WANT = (r"(?:wil|ga|zou willen|zou graag|wou|wilde|denk (?:\S+ ){0,2}(?:aan|erover|erover na om)|"
            r"ben van plan (?:om )?|"
            r"van plan om|overweeg|heb zin om|wens|hoop|verlang ernaar)")
_NL_DEATH = (r"(?:dood(?! (?:van|aan|moe|op|gewoon))|dood zijn|sterven|niet meer (?:leven|bestaan|zijn|wakker worden|"
             r"verder)|zelfmoord (?:plegen|doen)|mezelf (?:\S+ ){0,2}(?:van kant maken|doden|ophangen|iets aandoen|"
             r"iets aan doen|vergiftigen|verdrinken)|er (?:\S+ ){0,2}een eind(?:e)? aan maken|"
             r"een eind(?:e)? aan (?:mijn|"
             r"m n|mn|het) leven (?:maken|te maken)|verdwijnen(?: voor altijd|(?! (?:naar|even|een|voor een|uit|in|"
             r"op|onder|van)))|er niet meer zijn|springen (?:van|voor|"
             r"uit)|voor de trein|uit het leven stappen|slapen en nooit meer)")

_SLOT_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    # --- Deutsch
    ("de: wish + death", "intent", "clear", "self",
     rf"\b(?:ich |ich (?:\S+ ){{0,3}}|einfach |echt |nur |bald )?(?P<d>{_DE_WANT}) {_gap(_DE_NEG, 4)}{_DE_DEATH}\b"),
    ("de: bring mich um", "intent", "clear", "self",
     r"\b(?:ich )?bring(?:e)? mich (?:\S+ ){0,4}um\b(?! (?:\d|halb|mitternacht|acht|neun|zehn|elf|zwolf|ein|zwei|drei|"
     r"vier|funf|sechs|sieben))|\b(?:suizidgedanken|selbstmordgedanken|suizidal|lebensmude|suizidgefahrdet|"
     r"selbstmord begehen|suizid begehen)\b"),
    ("de: nicht mehr", "hopelessness", "possible", "self",
     r"\bich (?:will|mag|kann) (?:einfach |echt |wirklich |so )?(?:nicht mehr|nimmer)(?: weiter| leben| weitermachen|"
     r" so weiterleben|$|[,.])|\b(?:hat|macht|ergibt) (?:\S+ ){0,2}(?:alles )?(?:keinen|kein) sinn (?:mehr|zu leben|"
     r"weiterzumachen)\b|\b(?:sinnlos|hoffnungslos|keine hoffnung mehr|keinen ausweg|kein ausweg|keine zukunft)\b|"
     r"\bwozu (?:noch )?(?:leben|weitermachen|aufstehen|das alles)\b|\bwarum (?:lebe ich|bin ich (?:noch )?(?:hier|da|"
     r"am leben))\b|\b(?:mude|satt|mud) (?:vom|des) leben[s]?\b|\b(?:keine|keinen) (?:kraft|grund|sinn) mehr "
     r"(?:zu leben|weiterzuleben|weiterzumachen|zum leben)\b|\bkeinen grund (?:mehr )?(?:zu leben|weiterzumachen)\b|"
     r"\bnichts (?:mehr )?(?:wofur|fur das) es sich (?:zu leben )?lohnt\b|\bleben (?:ist )?nicht (?:mehr )?lebenswert"
     r"\b|\bhalte (?:es|das (?:leben|alles)) nicht mehr aus\b"),
    ("de: ohne mich", "burden", "possible", "self",
     r"\bohne mich (?:\S+ ){0,3}(?:besser|leichter|glucklicher|einfacher)\b|\b(?:besser|leichter|glucklicher) "
     r"(?:\S+ ){0,2}ohne mich\b|\b(?:last|belastung|klotz am bein) fur (?:alle|jeden|euch|meine|meinen|die anderen)\b|"
     r"\bbin (?:\S+ ){0,2}(?:eine )?(?:last|belastung|zumutung)\b|\b(?:niemand|keiner|keinem) (?:\S+ ){0,1}(?:wurde|"
     r"wird) (?:\S+ ){0,1}(?:mich vermissen|es merken|auffallen|fehlen)\b|\bniemand wurde mich vermissen\b"),
    ("de: nie geboren", "wish_not_exist", "possible", "self",
     r"\b(?:ware|war|waer) ich (?:\S+ ){0,2}(?:nie geboren|tot|nicht da|nicht mehr da)\b|\bwunschte(?: mir)?,? ich "
     r"(?:\S+ ){0,2}(?:ware|war|wurde) (?:\S+ ){0,2}(?:tot|nie geboren|nicht (?:mehr )?da|nicht mehr aufwachen|weg)\b|"
     r"\b(?:aufhoren|aufzuhoren) zu existieren\b|\bnie geboren\b|\beinfach nicht mehr (?:da|existieren|aufwachen)\b"),
    ("de: abschied", "farewell", "possible", "self",
     r"\b(?:abschiedsbrief|abschiedsbriefe|abschiedsnachricht|lebt wohl|mein testament)\b|\bwenn ich (?:nicht mehr da|"
     r"weg|tot|nicht mehr) (?:bin|lebe)\b|\b(?:verschenke|verschenkt|verschenkt habe) (?:\S+ ){0,2}(?:meine|all meine) "
     r"(?:sachen|dinge|sachen weg)\b|\bkummert euch um (?:meinen|meine|mein)\b|\bdanke fur alles\b.{0,160}\b(?:tschuss|"
     r"lebt wohl|abschied|verzeiht|es tut mir leid|macht's gut|machts gut)\b|\b(?:meine|das ist meine) letzte "
     r"nachricht\b|\bverabschiede mich (?:von allen|von euch|fur immer)\b"),
    ("de: wie viele tabletten", "means", "possible", "self",
     r"\bwie viele (?:\S+ ){0,3}(?:tabletten|pillen|schlaftabletten|ibuprofen|paracetamol)\b"
     r".{0,160}\b(?:todlich|sterben|"
     r"zu viel|reichen|braucht man|nicht mehr aufwacht)\b|\b(?:todliche|letale) dosis\b|\bwie hoch (?:\S+ ){0,4}"
     r"(?:sterben|todlich|tot)\b|\bkann man (?:\S+ ){0,4}sterben\b|\b(?:schmerzlos|schnell|sicher) sterben\b|\bwo "
     r"(?:bekomme|kriege|kaufe) ich (?:eine waffe|ein seil|eine pistole)\b|\bwelche brucke\b"),
    ("de: mich selbst verletzen", "self_harm", "clear", "self",
     r"\b(?:ritze|ritz|ritzte|ritzen|geritzt|selbstverletzung|svv)\b|\bich (?:\S+ ){0,2}(?:schneide|verbrenne|"
     r"verletze|schlage|kratze|verbrannte|schnitt) mich\b(?! (?:beim|in den finger|am papier|aus versehen|"
     r"versehentlich))|\bmich (?:\S+ ){0,2}(?:selbst )?(?:geschnitten|verbrannt|verletzt|verletzen|geschlagen|"
     r"blutig gekratzt)\b(?! (?:beim|aus versehen))"),
    ("de: er schlagt mich", "harm", "clear", "harm_from_others",
     r"\b(?:schlagt|schlug|schlaegt|haut|tritt|wurgt|wurgte|bedroht|bedrohte|misshandelt|verprugelt|vergewaltigt|"
     r"vergewaltigte|schubst|schubste|packt|sperrt|beleidigt und schlagt|begrapscht|belastigt) mich\b(?! (?:beim "
     r"(?:spiel|schach|tennis|kartenspiel)|im (?:spiel|schach)))|\bhat mich (?:\S+ ){0,3}(?:geschlagen|gewurgt|"
     r"bedroht|verprugelt|vergewaltigt|getreten|eingesperrt|geschubst|misshandelt|angegriffen)\b|\b(?:tut|tat) mir "
     r"(?:\S+ ){0,1}weh\b(?! (?:der|die|das|mein|meine|kopf|rucken|bauch|leid))|\bhat mir (?:\S+ ){0,1}weh getan\b|"
     r"\bdroht (?:mir|mich) (?:\S+ ){0,3}(?:umzubringen|zu toten|zu schlagen|weh zu tun)\b|\b(?:er|sie|mein mann|"
     r"mein freund|mein vater|mein stiefvater|meine frau|meine freundin|mein ex) (?:\S+ ){0,2}(?:bringt|bringe) mich "
     r"(?:\S+ ){0,2}um\b(?!.{0,160}(?:laughing emoji|lol|haha|mails|arbeit|deadline))|"
     r"\b(?:habe|hab) angst vor (?:ihm|ihr|"
     r"meinem|"
     r"meiner|zu ?hause|nach hause zu gehen)\b(?! (?:chef|prufung|zahnarzt|arzt|test))|\bhabe angst,? dass er mir\b|"
     r"\b(?:nicht|nie) (?:mehr )?sicher (?:zu ?hause|zuhause|daheim|bei ihm|bei ihr|bei uns)\b"),
    ("de: jemand anderes", "intent", "clear", "someone_else",
     r"\b(?:sie|er|mein (?:freund|bruder|vater|sohn|kollege|mitbewohner|partner|cousin)|meine (?:freundin|schwester|"
     r"mutter|tochter|kollegin|mitbewohnerin|partnerin|cousine|beste freundin)|mein bester freund) (?:\S+ ){0,6}"
     r"(?:will|mochte|wird|plant|denkt an|redet von|spricht von) (?:\S+ ){0,3}(?:sterben|nicht mehr leben|sich "
     r"(?:\S+ ){0,2}(?:umbringen|toten|das leben nehmen|was antun|etwas antun))\b|\b(?:sie|er) (?:hat sich|ritzt "
     r"sich|verletzt sich)(?: \S+){0,2} (?:geritzt|geschnitten|verletzt|selbst)\b|\b(?:sie|er) ritzt sich\b|"
     r"\b(?:hat|hatte) (?:\S+ ){0,2}(?:einen )?abschiedsbrief\b|\b(?:sie|er) (?:hat|hatte) (?:\S+ ){0,3}(?:tabletten|"
     r"pillen) genommen\b"),
    # --- Español
    ("es: wish + death", "intent", "clear", "self",
     rf"\b(?:^|yo |ya |solo |de verdad |(?:\S+ ){{0,1}})(?P<d>{_ES_WANT}) {_gap(_ES_NEG, 2)}{_ES_DEATH}\b"),
    ("es: no quiero vivir", "intent", "clear", "self",
     r"\b(?:ya )?no (?:quiero|kiero|quisiera|deseo) (?:\S+ ){0,2}(?:vivir|seguir viviendo|existir|despertar|estar "
     r"aqui|seguir aqui|estar viv[oa])\b|\bme (?:quiero|voy a|kiero) (?:matar|morir|suicidar|quitar la vida)\b|"
     r"\b(?:me|te) (?:mato|suicido)(?: esta noche| hoy| manana| ya)\b"),
    ("es: sin sentido", "hopelessness", "possible", "self",
     r"\bno (?:le )?(?:veo|encuentro|tiene) (?:\S+ ){0,2}sentido (?:a |de )?(?:nada|la vida|vivir|seguir|mi "
     r"vida|levantarme|existir)\b|\bnada tiene sentido\b|\bpara que (?:seguir|vivir|sigo|existo|estoy aqui|me levanto)"
     r"\b|\bno (?:hay|veo) (?:ninguna )?(?:salida|esperanza|razon para vivir|futuro)\b|\bsin (?:esperanza|salida|"
     r"futuro)\b|\b(?:cansad[oa]|hart[oa]|agotad[oa]) de (?:vivir|existir|la vida|mi vida|estar viv[oa]|despertar)\b|"
     r"\b(?:ninguna|ni una) razon (?:para|pa) (?:vivir|seguir)\b|\bno vale la pena (?:vivir|seguir)\b|\bya no "
     r"(?:puedo|aguanto) (?:mas )?(?:vivir|con la vida|con esta vida|esta vida|mi vida|la vida|asi|seguir)\b|"
     r"\bno puedo (?:mas|seguir) con "
     r"(?:esta vida|la vida|mi vida)\b"),
    ("es: una carga", "burden", "possible", "self",
     r"\b(?:mejor|estarian mejor|estarias mejor|seria mejor|todo seria mas facil) (?:\S+ ){0,2}sin mi\b|\bsin mi "
     r"(?:\S+ ){0,2}(?:mejor|mas facil|mas felices)\b|\b(?:soy|me siento) (?:\S+ ){0,2}(?:una )?(?:carga|estorbo|"
     r"molestia|peso muerto)\b|\b(?:nadie|a nadie) (?:\S+ ){0,1}(?:me extranaria|me echaria de menos|le importaria|"
     r"notaria|se daria cuenta)\b|\bmejor (?:\S+ ){0,1}si (?:yo )?no (?:existiera|estuviera|hubiera nacido)\b"),
    ("es: no haber nacido", "wish_not_exist", "possible", "self",
     r"\b(?:ojala|quisiera|me gustaria) (?:\S+ ){0,2}(?:no (?:despertar|despertara|existir|existiera|haber nacido|"
     r"hubiera nacido)|nunca (?:haber nacido|hubiera nacido)|me muriera|estar muert[oa]|desaparecer|desapareciera|"
     r"dormirme y no)\b|\bno (?:haber|hubiera) nacido\b|\bdejar de existir\b|\bdesaparecer (?:para siempre|del mapa y "
     r"que nadie|y que nadie)\b"),
    ("es: despedida", "farewell", "possible", "self",
     r"\b(?:carta|cartas|mensaje) de despedida\b|\bme despido de (?:todos|ustedes|vosotros|ti)\b|\badios (?:a todos|"
     r"para siempre|mundo)\b|\bcuando (?:ya )?no (?:este|estare)\b|\b(?:cuiden|cuida|cuidad) (?:\S+ ){0,1}(?:a )?mi "
     r"(?:perro|gato|perrita|gatita|mascota|hijo|hija)\b|\bgracias por todo\b"
     r".{0,160}\b(?:adios|perdon|perdonen|los quiero|"
     r"os quiero|lo siento)\b|\b(?:esta es|este es) mi (?:ultimo|ultima) (?:mensaje|dia|noche)\b|\bregal(?:e|ando|o) "
     r"(?:\S+ ){0,1}mis cosas\b|\bperdon(?:en|adme)? por lo que voy a hacer\b"),
    ("es: cuantas pastillas", "means", "possible", "self",
     r"\bcuant(?:a|o)s (?:\S+ ){0,3}(?:pastillas|pildoras|tabletas|mg|paracetamol|ibuprofeno|clonazepam|pastis)\b"
     r".{0,160}"
     r"\b(?:mortal|letal|matan|morir|hacen falta|son peligros|son demasiad|no despertar)|\bdosis (?:letal|mortal)\b|"
     r"\b(?:que|cuanta) altura (?:\S+ ){0,4}(?:morir|mortal|matar|sobrevivir)\b|\bse puede morir (?:de|por|si|al)\b|"
     r"\bcomo (?:suicidarse|matarse|morir sin dolor)\b|\bpuente mas alto\b|\bdonde (?:comprar|consigo|conseguir) "
     r"(?:un arma|una pistola|una cuerda|pastillas)\b"),
    ("es: me hago dano", "self_harm", "clear", "self",
     r"\bme (?:corte|corto|cortaba|he cortado|estoy cortando|lastime|lastimo|he lastimado|queme|quemo|golpeo|golpee|"
     r"hago dano|hice dano|rasguno|rasgune) (?!el pelo|las unas|con (?:papel|una hoja|el cuchillo cocinando)|cocinando|"
     r"afeitandome|sin querer|con el horno|el dedo)|\b(?:autolesion(?:es|arme|o)?)\b|\b(?:cortarme|"
     r"lastimarme|hacerme dano|quemarme) (?:otra vez|de nuevo|los brazos|las piernas|la piel)\b"),
    ("es: me pega", "harm", "clear", "harm_from_others",
     r"\bme (?:pega|pegaba|pego|ha pegado|golpea|golpeo|golpeaba|amenaza|amenazo|amenazaba|maltrata|maltrataba|viola|"
     r"violo|ahorca|ahorco|estrangula|estrangulo|empuja|empujo|patea|pateo|hace dano|hizo dano|lastima|lastimo|"
     r"encierra|encerro|agrede|agredio|tira cosas|jala el pelo|quita el telefono)\b|\bamenaz(?:o|a|aba) con "
     r"(?:matarme|pegarme|hacerme dano|llevarse a los ninos)\b|\bno me siento segur[oa]\b|\b(?:tengo )?miedo (?:de|a) "
     r"(?:mi )?(?:pareja|esposo|marido|novio|novia|esposa|padre|padrastro|el|ella|volver a casa|lo que me haga)\b|"
     r"\bviolencia (?:domestica|de genero|intrafamiliar)\b|\b(?:mi (?:pareja|esposo|marido|novio|ex|padrastro)|el) "
     r"(?:\S+ ){0,2}me va a matar\b(?!.{0,160}(?:jaja|jeje|lol|laughing emoji))|\babus(?:a|o|aba) de mi\b"),
    ("es: alguien mas", "intent", "clear", "someone_else",
     r"\b(?:se (?:va|iba) a (?:matar|suicidar|quitar la vida)|se quiere (?:matar|morir|suicidar)|quiere (?:matarse|"
     r"suicidarse|morirse|morir|quitarse la vida)|piensa (?:en )?(?:matarse|suicidarse)|no quiere (?:vivir|seguir "
     r"viviendo)|se (?:corta|esta cortando|corto|autolesiona|lastima)(?: \S+)? (?:los brazos|las munecas|otra vez|"
     r"de nuevo)?|intento (?:suicidarse|matarse|quitarse la vida))\b|\b(?:mi (?:amig[oa]|herman[oa]|madre|padre|"
     r"hij[oa]|novi[oa]|pareja|prim[oa]|companer[oa])|ella|el) (?:\S+ ){0,4}(?:tomo|se tomo) (?:\S+ ){0,2}(?:muchas|"
     r"todas las|un monton de|un bote de) (?:pastillas|pildoras)\b|\b(?:me mando|me envio|dejo) (?:\S+ ){0,1}(?:una "
     r"carta|un mensaje) de despedida\b"),
    # --- Français
    ("fr: wish + death", "intent", "clear", "self",
     rf"(?:^|\b)(?P<d>{_FR_WANT}) {_gap(_FR_NEG, 2)}{_FR_DEATH}\b"),
    ("fr: plus envie de vivre", "intent", "clear", "self",
     r"\b(?:je )?(?:ne )?(?:veux|veut|voulais) (?:\S+ ){0,1}plus (?:vivre|exister|etre la|me reveiller)\b|\b(?:j ai )?"
     r"(?:plus|pas|aucune) envie de (?:vivre|continuer a vivre|exister|me reveiller)\b|\b(?:suicidaire|idees "
     r"suicidaires|pensees suicidaires|me suicider)\b"),
    ("fr: plus de raison", "hopelessness", "possible", "self",
     r"\b(?:aucune|plus de|pas de|plus aucune|pas une seule) raison de (?:vivre|continuer|rester|me lever)\b|\ba quoi "
     r"(?:bon|ca sert de) (?:vivre|continuer|me lever|exister|tout ca)\b|\b(?:la vie|ma vie|rien|plus rien) n a "
     r"(?:plus )?(?:de|aucun) sens\b|\b(?:aucun|plus d|pas d|sans) (?:espoir|avenir|issue)\b|\b(?:fatigue|fatiguee|"
     r"marre|epuise|epuisee|lasse?) (?:de|d) (?:vivre|la vie|exister|ma vie|etre en vie)\b|\bplus la force de (?:vivre|"
     r"continuer|me battre)\b|\bj en peux plus (?:de vivre|de la vie|de tout|de moi|de cette vie)\b|\bje tiens plus\b|"
     r"\bla vie ne vaut (?:plus )?(?:pas|rien)\b"),
    ("fr: un poids", "burden", "possible", "self",
     r"\bmieux sans moi\b|\bsans moi (?:\S+ ){0,3}(?:mieux|plus facile|plus heureux|plus heureuse)\b|\b(?:un poids|un "
     r"fardeau|une charge|un boulet) pour\b|\bje (?:suis|me sens) (?:\S+ ){0,2}(?:un poids|un fardeau|une charge|un "
     r"boulet|de trop)\b|\bpersonne ne (?:me regretterait|remarquerait|verrait la difference|s en rendrait compte)\b"),
    ("fr: ne jamais etre ne", "wish_not_exist", "possible", "self",
     r"\b(?:ne )?(?:jamais|plus|pas) me reveiller\b|\b(?:jamais|pas) (?:etre )?nee?\b|\bne plus exister\b|\b(?:si "
     r"seulement|j aimerais|je voudrais|je souhaiterais) (?:\S+ ){0,2}(?:disparaitre|ne (?:plus|pas|jamais) "
     r"(?:exister|etre la|me reveiller)|etre mort|etre morte|ne jamais etre)\b|\bcesser d exister\b"),
    ("fr: adieu", "farewell", "possible", "self",
     r"\b(?:lettre|lettres|message|mot) d ?adieu\b|\badieu (?:a tous|tout le monde|pour toujours|le monde)\b|\bje vous "
     r"dis adieu\b|\bquand je (?:ne )?serai plus (?:la|ici)\b|\bprenez soin de (?:mon|ma|mes)\b|\bmerci pour tout\b"
     r".{0,160}"
     r"\b(?:adieu|pardon|je vous aime|desole|desolee)\b|\bj ai donne (?:\S+ ){0,2}mes affaires\b|\b(?:mon|mes) "
     r"derniers? (?:message|mots)\b|\bpardonnez moi pour ce que je vais faire\b|\bmon testament\b"),
    ("fr: combien de comprimes", "means", "possible", "self",
     r"\bcombien de (?:\S+ ){0,3}(?:comprimes|cachets|pilules|doliprane|paracetamol|medicaments)\b.{0,160}\b(?:mortel|"
     r"mourir|tuer|overdose|trop|faut il|ne plus)|\bdose (?:mortelle|letale)\b|\bquelle hauteur (?:\S+ ){0,4}(?:mourir|"
     r"mortel|tuer|survivre)\b|\bon peut mourir (?:de|si|en|d)\b|\bcomment (?:mourir|se suicider|se tuer|en finir)\b|"
     r"\bpont le plus haut\b|\bou (?:acheter|trouver) (?:une arme|une corde|un pistolet)\b"),
    ("fr: je me coupe", "self_harm", "clear", "self",
     r"\bje me (?:coupe|scarifie|brule|frappe|mutile|griffe|tape)\b(?! (?:en cuisinant|avec le four|en me rasant|"
     r"par accident|sur les nerfs|le doigt|les cheveux|les ongles))|\bje me suis (?:\S+ ){0,2}(?:coupee?|scarifiee?|"
     r"brulee?|mutilee?|griffee?)\b(?! (?:en cuisinant|avec le four|en me rasant|par accident|le doigt|"
     r"en [a-z]+ant\b))|\b(?:me "
     r"faire du mal|scarification|scarifications|automutilation|me scarifier|me mutiler)\b"),
    ("fr: il me frappe", "harm", "clear", "harm_from_others",
     r"\b(?:il|elle|mon \S+|ma \S+|mon beau pere|ma belle mere) (?:\S+ ){0,2}me (?:frappe|bat|battait|frappait|menace|"
     r"menacait|gifle|etrangle|viole|pousse|cogne|tape dessus|fait mal|brutalise|enferme|secoue)\b|\bm a (?:\S+ ){0,1}"
     r"(?:frappee?|menacee?|etranglee?|battue?|violee?|poussee?|giflee?|cognee?|enfermee?|tapee?|brutalisee?|"
     r"agressee?)\b|\bmenace de (?:me tuer|me frapper|me faire du mal)\b|\bpas en securite\b|\bpeur (?:de lui|d elle|"
     r"de "
     r"rentrer|de (?:mon|ma) (?:mari|copain|compagnon|pere|beau pere|femme|copine|ex|conjoint))\b|\bviolences? "
     r"(?:conjugales?|domestiques?|familiales?)\b|\b(?:il|mon (?:mari|copain|compagnon|ex|"
     r"pere)) (?:\S+ ){0,1}va me tuer"
     r"\b(?!.{0,160}(?:mdr|lol|ptdr|laughing emoji|haha))"),
    ("fr: quelqu un d autre", "intent", "clear", "someone_else",
     r"\b(?:elle|il|mon (?:ami|pote|frere|pere|fils|copain|collegue|coloc)|ma (?:meilleure amie|soeur|mere|fille|"
     r"copine|collegue|coloc|pote|amie)) (?:\S+ ){0,5}(?:veut|va|voulait|pense a|parle de|compte) (?:\S+ ){0,1}"
     r"(?:se suicider|se tuer|mourir|en finir|mettre fin a ses jours|plus vivre|se jeter)\b|\b(?:elle|il) s est "
     r"(?:\S+ ){0,1}(?:coupee?|scarifiee?|mutilee?)\b|\b(?:elle|il) se (?:scarifie|mutile|coupe les bras)\b|\ba pris "
     r"(?:\S+ ){0,2}(?:tous ses|toute sa boite de|plein de) (?:cachets|medicaments|comprimes)\b"),
    # --- Português
    ("pt: wish + death", "intent", "clear", "self",
     rf"(?:^|\b)(?P<d>{_PT_WANT}) {_gap(_PT_NEG, 2)}{_PT_DEATH}\b"),
    ("pt: nao quero viver", "intent", "clear", "self",
     r"\bnao (?:quero|aguento|consigo) (?:\S+ ){0,2}(?:viver|existir|acordar|estar aqui|continuar vivendo|continuar "
     r"viva|continuar vivo)\b|\b(?:suicidio|suicida|pensamentos suicidas|ideacao suicida|me suicidar)\b"),
    ("pt: sem sentido", "hopelessness", "possible", "self",
     r"\bnada (?:mais )?(?:faz|tem) sentido\b|\b(?:nao tem|sem|nao vejo|nao faz) (?:mais )?(?:nenhum )?sentido "
     r"(?:viver|continuar|nada|a vida|em viver|em nada|pra vida)\b|\b(?:a )?vida (?:nao tem|sem) (?:mais )?sentido\b|"
     r"\b(?:cansad[oa]|exaust[oa]) de (?:viver|existir|tudo|a vida|estar viv[oa])\b|\bsem (?:esperanca|saida|futuro)\b|"
     r"\bnao (?:tem|vejo) saida\b|\bnenhum motivo (?:pra|para) (?:viver|continuar)\b|\b(?:pra|para) que "
     r"(?:viver|continuar|acordar)\b|\bnao vale a pena (?:viver|continuar)\b|\bnao aguento mais (?:essa vida|viver|a "
     r"vida)\b"),
    ("pt: um peso", "burden", "possible", "self",
     r"\bmelhor sem mim\b|\bsem mim (?:\S+ ){0,2}(?:melhor|mais facil|mais feliz)\b|\bsou (?:\S+ ){0,2}(?:um|uma) "
     r"(?:peso|fardo|estorvo)\b|\b(?:um peso|um fardo) (?:pra|para) (?:todo mundo|todos|minha|meu)\b|\bninguem "
     r"(?:\S+ ){0,1}(?:sentiria|vai sentir|ia sentir|notaria|ia notar) (?:a )?(?:minha )?falta\b|\bmelhor "
     r"(?:\S+ ){0,1}se eu (?:nao (?:existisse|estivesse)|sumisse|morresse)\b"),
    ("pt: nao ter nascido", "wish_not_exist", "possible", "self",
     r"\b(?:queria|gostaria de|preferia) (?:\S+ ){0,1}(?:nao (?:ter nascido|existir|acordar)|nunca ter nascido|"
     r"sumir|desaparecer)\b|\bnunca ter nascido\b|\bnao acordar mais\b|\bdormir e nao acordar\b|\bdeixar de existir\b"),
    ("pt: despedida", "farewell", "possible", "self",
     r"\bcarta de despedida\b|\bme despedir de (?:todos|voces|todo mundo)\b|\badeus (?:a todos|pra sempre|para "
     r"sempre|gente)\b|\bquando eu (?:nao estiver mais|me for|partir|nao estiver aqui)\b|\bcuidem (?:bem )?d[oa] "
     r"(?:meu|minha)\b|\bobrigad[oa] por tudo\b.{0,160}\b(?:adeus|desculpa|me perdoem|amo voces)\b|"
     r"\bdoei (?:\S+ ){0,2}minhas "
     r"coisas\b|\b(?:minha )?ultima mensagem\b|\bme perdoem pelo que vou fazer\b"),
    ("pt: quantos comprimidos", "means", "possible", "self",
     r"\bquant(?:o|a)s (?:\S+ ){0,3}(?:comprimidos|remedios|pilulas|mg|rivotril|paracetamol)\b"
     r".{0,160}\b(?:mata|matam|morrer|"
     r"letal|fatal|perigos|demais|overdose|nao acordar)|\bdose (?:letal|fatal|mortal)\b|\bde que altura\b|\bda (?:pra|"
     r"para) morrer\b|\bcomo (?:se matar|morrer sem dor|me matar)\b|\bponte mais alta\b|\bonde (?:compro|comprar|"
     r"arranjo|consigo) (?:uma arma|uma corda)\b"),
    ("pt: me machuco", "self_harm", "clear", "self",
     r"\bme (?:cortei|corto|cortando|machuquei|machuco|machucando|queimei|queimo|bato|arranhei|arranho|mutilo)\b"
     r"(?! (?:cozinhando|sem querer|com papel|fazendo a barba|no forno|o dedo))|\b(?:automutilacao|autolesao|me "
     r"automutilar|me mutilar|me autolesionar)\b"),
    ("pt: me bate", "harm", "clear", "harm_from_others",
     r"\bme (?:bate|batia|bateu|ameaca|ameacou|ameacava|machuca|machucou|estuprou|estupra|enforcou|empurrou|empurra|"
     r"agride|agrediu|espanca|espancou|chuta|chutou|sufocou|trancou|tranca|violentou|enforca|estrangulou|esgana)\b|"
     r"\bameac(?:ou|a|ava) (?:me |de )?(?:matar|morte|bater)\b|\b(?:disse|falou) que vai me matar\b|\bnao me sinto "
     r"segur[oa]\b|\b(?:tenho )?medo (?:do|da|de) (?:meu |minha )?(?:namorado|marido|pai|padrasto|companheiro|namorada|"
     r"esposa|ex|dele|dela|voltar pra casa|ir pra casa)\b|\bviolencia domestica\b|\b(?:ele|meu (?:marido|namorado|"
     r"padrasto|pai|ex|companheiro)) (?:\S+ ){0,2}vai me matar\b(?!.{0,160}(?:kkk|rs|haha|laughing emoji))"),
    ("pt: outra pessoa", "intent", "clear", "someone_else",
     r"\b(?:vai|quer|disse que vai|falou que vai|ta pensando em|pensa em|tentou) se matar\b|\b(?:ela|ele|minha "
     r"(?:amiga|irma|mae|filha|namorada|prima)|meu (?:amigo|irmao|pai|filho|namorado|primo)) (?:\S+ ){0,3}(?:quer|"
     r"disse "
     r"que quer|falou que quer) (?:morrer|sumir pra sempre|tirar a propria vida)\b|\bvai tirar a (?:propria )?vida\b|"
     r"\b(?:ela|ele) (?:se corta|se cortou|ta se cortando|se machuca)\b|\btomou (?:\S+ ){0,1}(?:um monte de|muitos|"
     r"todos os|uma cartela de) (?:remedios|comprimidos)\b|\bmensagem de despedida\b"),
    # --- Nederlands
    ("nl: wish + death", "intent", "clear", "self",
     rf"\b(?:ik |ik (?:\S+ ){{0,2}}|gewoon |echt )?(?P<d>{_NL_WANT}) {_gap(_NL_NEG, 3)}{_NL_DEATH}\b"),
    ("nl: wil niet meer", "hopelessness", "possible", "self",
     r"\bik (?:wil|kan) (?:gewoon |echt |het )?niet meer(?: verder| leven|$|[,.])|\b(?:heeft|"
     r"heb) (?:\S+ ){0,2}geen zin "
     r"(?:meer|om te leven|in het leven)\b|\b(?:zinloos|hopeloos|geen hoop meer|geen uitweg|geen toekomst)\b|\bwaarom "
     r"(?:leef ik|ben ik (?:nog )?(?:hier|er))\b|\b(?:moe|klaar) (?:van|met) (?:het leven|leven|alles en iedereen)\b|"
     r"\blevensmoe\b|\bgeen reden (?:meer )?om (?:te leven|door te gaan)\b|\bniks (?:meer )?om voor te leven\b|\bhet "
     r"leven (?:heeft geen zin|is niets waard)\b|\bhoudt het niet meer vol\b|\bhoud het niet meer vol\b"),
    ("nl: tot last", "burden", "possible", "self",
     r"\bzonder mij (?:\S+ ){0,3}(?:beter|makkelijker|gelukkiger)\b|\bbeter (?:af )?zonder mij\b|\b(?:een last|tot "
     r"last|een blok aan het been) (?:voor|van|ben)\b|\bik ben (?:\S+ ){0,2}(?:een last|tot last)\b|\bniemand "
     r"(?:\S+ ){0,1}(?:zou|zal) (?:\S+ ){0,1}(?:me missen|mij missen|het merken)\b"),
    ("nl: nooit geboren", "wish_not_exist", "possible", "self",
     r"\bnooit geboren\b|\b(?:wou|wilde|wens) dat ik (?:\S+ ){0,2}(?:dood was|er niet (?:meer )?was|niet bestond|nooit "
     r"geboren)\b|\bniet meer wakker (?:word|worden)\b|\bophouden met bestaan\b|\bniet meer bestaan\b"),
    ("nl: afscheid", "farewell", "possible", "self",
     r"\b(?:afscheidsbrief|afscheidsbrieven|afscheidsbericht|vaarwel)\b|\bafscheid (?:nemen|genomen) van iedereen\b|"
     r"\bals ik er niet meer ben\b|\bzorg (?:goed )?voor (?:mijn|m n) (?:kat|hond|kinderen)\b|\bbedankt voor alles\b"
     r".{0,160}"
     r"\b(?:vaarwel|sorry|doei|dag allemaal)\b|\bmijn spullen (?:\S+ ){0,1}weggegeven\b|\bmijn laatste bericht\b"),
    ("nl: hoeveel pillen", "means", "possible", "self",
     r"\bhoeveel (?:\S+ ){0,3}(?:pillen|paracetamol|tabletten|slaappillen|mg|oxazepam)\b"
     r".{0,160}\b(?:dodelijk|dood|te veel|"
     r"overdosis|niet meer wakker)|\bdodelijke dosis\b|\bhoe hoog (?:\S+ ){0,4}(?:dood|overleven|dodelijk)\b|\bkun je "
     r"(?:\S+ ){0,3}dood(?:gaan)? (?:van|aan|als)\b|\bhoogste brug\b|\bwaar (?:koop|krijg) ik (?:een wapen|een touw|"
     r"een pistool)\b"),
    ("nl: mezelf pijn doen", "self_harm", "clear", "self",
     r"\bmezelf (?:\S+ ){0,2}(?:gesneden|snijden|pijn doen|pijn gedaan|iets aandoen|beschadigen|beschadigd|gekrast|"
     r"krassen|verbrand|verbranden|slaan|geslagen)\b(?! (?:bij het koken|per ongeluk|aan papier))|\bik (?:snij|snijd|"
     r"kras|brand|sla) mezelf\b|\b(?:zelfbeschadiging|automutilatie|zelfverwonding)\b"),
    ("nl: hij slaat me", "harm", "clear", "harm_from_others",
     r"\b(?:slaat|sloeg|schopt|schopte|wurgt|wurgde|bedreigt|bedreigde|mishandelt|mishandelde|verkracht|verkrachtte|"
     r"duwt|duwde|knijpt|sluit|sloot|pakt) (?:me|mij)\b(?! (?:met schaken|bij het spel|in|op))|\bheeft (?:me|mij) "
     r"(?:\S+ ){0,2}(?:geslagen|gewurgd|bedreigd|mishandeld|verkracht|geschopt|geduwd|opgesloten|aangevallen)\b|"
     r"\b(?:dreigt|gedreigd) (?:\S+ ){0,4}(?:vermoorden|te slaan|pijn te doen|iets aan te doen)\b|\bniet veilig\b|"
     r"\bbang (?:voor|van) (?:hem|haar|mijn|m n|thuis)\b(?! (?:baas|examen|toets|tandarts))|\bhuiselijk geweld\b|"
     r"\bdoet (?:me|mij) pijn\b|\b(?:hij|mijn (?:man|vriend|vader|ex|stiefvader)) (?:\S+ ){0,2}(?:gaat|zal) (?:me|mij) "
     r"(?:\S+ ){0,1}vermoorden\b(?!.{0,160}(?:haha|lol|laughing emoji))"),
    ("nl: iemand anders", "intent", "clear", "someone_else",
     r"\b(?:ze|hij|zij|mijn (?:vriendin|vriend|zus|broer|moeder|vader|zoon|dochter|collega|huisgenoot|beste vriend|"
     r"beste vriendin)) (?:\S+ ){0,4}(?:wil|gaat|denkt aan|praat over) (?:\S+ ){0,3}(?:dood|niet meer leven|zelfmoord|"
     r"een eind(?:e)? aan (?:haar|zijn|het) leven|er een eind(?:e)? aan maken|zichzelf (?:\S+ ){0,2}(?:doden|iets "
     r"aandoen|van kant maken))\b|\b(?:ze|hij|zij) (?:\S+ ){0,2}(?:snijdt|beschadigt|krast) zichzelf\b|\b(?:ze|hij|"
     r"zij) heeft (?:\S+ ){0,2}(?:pillen|tabletten) (?:genomen|geslikt)\b"),
)
LANGUAGE_RULES = LANGUAGE_RULES + _SLOT_RULES

# Found writing dev2 (a blind development set), as slots.
_DEV2_LANG: tuple[tuple[str, str, str, str, str], ...] = (
    ("de: wird nie besser", "hopelessness", "possible", "self",
     r"\bwird (?:eh |doch |sowieso |ja |alles )?nie (?:mehr )?besser\b|\bwas soll (?:das )?(?:alles )?noch\b|"
     r"\bnicht mehr aufzuwachen\b|\bwenn ich (?:einfach )?(?:weg|tot|nicht mehr da) (?:war|ware)\b|\bweg (?:war|ware)"
     r"\b.{0,160}\bfur immer\b|\bwie hoch (?:\S+ ){0,6}(?:sterben|todlich|tot|uberlebt|uberleben)\b"),
    ("de: abschied, mehr", "farewell", "possible", "self",
     r"\b(?:briefe|abschiedsbriefe) (?:\S+ ){0,2}geschrieben\b|\bsachen verschenkt\b|\btestament\b"),
    ("de: absichtlich", "self_harm", "clear", "self",
     r"\babsichtlich\b.{0,160}\b(?:verbrannt|geschnitten|geritzt|gelegt|verletzt|herdplatte)\b|\bmit (?:dem|einem) "
     r"(?:feuerzeug|messer|rasierklinge|zigarette)\b.{0,160}\b(?:verbrannt|geschnitten|geritzt|verletzt)\b|\britz\w+|"
     r"\bbring(?:e)? mich (?:\S+ ){0,4}um+\b"),
    ("de: jemand anderes, mehr", "intent", "possible", "someone_else",
     r"\b(?:verschenkt|verschenken|verschenkte) (?:\S+ ){0,3}(?:seine|ihre) sachen\b|\b(?:er|sie) (?:springt|will "
     r"springen) (?:\S+ ){0,2}von (?:der|einer) brucke\b|\blange armel\b"),
    ("de: kontrolliert mich", "harm", "possible", "harm_from_others",
     r"\bkontrolliert (?:\S+ ){0,3}(?:handy|geld|nachrichten)\b|\bbringt (?:er|sie) mich (?:\S+ ){0,2}um\b"),
    ("es: nada va a mejorar", "hopelessness", "possible", "self",
     r"\bnada va a mejorar\b|\b(?:ya )?me rendi\b|\bme rindo\b|\bsi (?:yo )?no (?:existiera|estuviera|hubiera "
     r"nacido)\b"),
    ("es: despedida, mas", "farewell", "possible", "self",
     r"\b(?:deje|escribi) (?:\S+ ){0,1}cartas? (?:para|a) (?:todos|mi)\b|\btodo (?:esta )?en orden\b|\bpague (?:todas "
     r")?mis deudas\b"),
    ("es: me volvi a cortar", "self_harm", "clear", "self",
     r"\bme (?:volvi|vuelvo|he vuelto) a (?:cortar|lastimar|quemar|hacer dano)\b|\bme (?:voy a|quiero|pienso) "
     r"(?:tirar|lanzar|aventar) (?:del|de un|desde|al|por)\b"),
    ("es: alguien mas, senales", "intent", "possible", "someone_else",
     r"\b(?:regalando|regala|regalo) (?:\S+ ){0,1}sus cosas\b|\bno (?:las|los|lo|la) (?:va|voy) a necesitar\b|"
     r"\bmangas largas\b|\bmanches longues\b|\bmanga comprida\b|\blange mouwen\b"),
    ("pt: sem sentido, mais", "hopelessness", "possible", "self",
     r"\bsentido em (?:continuar|viver)\b|\bdeixei tudo (?:organizado|em ordem|arrumado)\b|\bescrevi (?:\S+ ){0,1}"
     r"cartas? (?:pra|para)\b|\bsem comer\b.{0,160}\b(?:de proposito|mereco)\b"),
    ("nl: wordt nooit beter", "hopelessness", "possible", "self",
     r"\b(?:wordt|word) (?:toch )?nooit (?:meer )?beter\b|\bwat heeft (?:het )?(?:allemaal )?(?:nog )?(?:voor )?zin\b|"
     r"\bniet meer bestond\b|\bmezelf (?:\S+ ){0,5}(?:gebrand|verbrand|gesneden|gekrast)\b"),
    ("nl: zonder hem", "burden", "possible", "someone_else",
     r"\bbeter af (?:zijn )?zonder (?:hem|haar)\b|\bzonder (?:hem|haar) beter\b"),
)
_DEV2_MORE: tuple[tuple[str, str, str, str, str], ...] = (
    ("de: uberdosis", "intent", "clear", "self", r"\b(?:uberdosis|ueberdosis)\b"),
    ("es: hasta sangrar", "self_harm", "clear", "self",
     r"\bhasta (?:que )?(?:me )?sangr\w+|\btengo la cuerda\b"),
    ("es: se tomo todas", "intent", "clear", "someone_else",
     r"\b(?:tomo|se tomo) (?:\S+ ){0,2}(?:todas|muchas|un monton de|un bote de|la caja de) (?:\S+ )?(?:pastillas|"
     r"pildoras)\b|\b(?:vai|quer|disse que vai|falou que vai) se jogar\b|\b(?:ze|hij|zij) (?:\S+ ){0,2}pillen heeft "
     r"(?:genomen|geslikt)\b"),
    ("others: warning signs", "intent", "possible", "someone_else",
     r"\bmejor sin (?:el|ella)\b|\bdebarrasse(?:e|s|es)? de (?:lui|elle)\b|\bescreveu cartas?\b|\bzoekt "
     r"(?:\S+ ){0,3}op over (?:ophangen|zelfmoord|doodgaan)\b|\ber binnenkort niet meer (?:is|zijn)\b"),
    ("harm: control, other languages", "harm", "possible", "harm_from_others",
     r"\bme revisa (?:el|mi) (?:celular|telefono|movil)\b|\bno me deja (?:ver|salir|hablar|trabajar)\b|\ble tengo "
     r"miedo\b|\b(?:la permission|l autorisation) (?:pour|de) sortir\b|\bgarde ma carte\b|\bprend mon (?:telephone|"
     r"argent|salaire)\b|\bpisando em ovos\b|\bleest (?:al )?mijn berichten\b|\bik mag niet (?:weg|naar buiten|"
     r"uit)\b|\bmet een mes bedreigd\b|\bbedreigd met (?:een )?(?:mes|pistool|wapen)\b"),
    ("burden, other languages", "burden", "possible", "self",
     r"\b(?:soulage|soulagee|soulages|soulagees|mieux|heureux|heureuse) (?:\S+ ){0,1}si j etais (?:plus|pas) la\b|"
     r"\bsi (?:je n etais|j etais) (?:plus|pas) la\b|\blast van mij\b|\bzonder mij (?:\S+ ){0,3}(?:rustiger|beter|"
     r"makkelijker|fijner)\b"),
    ("farewell, other languages", "farewell", "possible", "self",
     r"\b(?:ecrit|ecrire|laisse) (?:\S+ ){0,1}(?:une )?lettres? a (?:chacun|tous|toutes|mes)\b|\btestamento\b|"
     r"\bsenhas\b.{0,160}\b(?:papel|carta|irmao|irma|obg|obrigad)"),
    ("hopeless and means, other languages", "hopelessness", "possible", "self",
     r"\bnada vai melhorar\b|\bdesisti de (?:tudo|viver)\b|\bquanto tempo (?:\S+ ){0,2}(?:pra|para) morrer\b|"
     r"\bquanto (?:\S+ ){0,2}(?:faz mal|mata)\b|\b(?:qro|qero|kero|qr) me mat\w*|\bom er een eind(?:e)? aan te "
     r"maken\b"),
    ("self-harm, other languages", "self_harm", "clear", "self",
     r"\b(?:pris|avale) (?:\S+ ){0,2}(?:la boite|toute la boite|tous mes|toute la plaquette|plein de) (?:\S+ ){0,1}"
     r"(?:somniferes|cachets|comprimes|medicaments|doliprane)\b|\btomei (?:\S+ ){0,2}(?:um monte de|todos os|"
     r"muitos|uma cartela)\b|\b(?:expres|met opzet)\b.{0,160}\b(?:geslagen|gesneden|gebrand|bloedde)\b|\btot ik "
     r"bloedde\b"),
)
# Found in dev22 (a blind development set weighted to the other languages): things given away "because i won't
# need them", as each language says it, like the English "farewell, more".
_GIVEN_AWAY: tuple[tuple[str, str, str, str, str], ...] = (
    ("given away, not needed", "farewell", "possible", "self",
     r"\b(?:verschenkt|weggegeben|hergegeben|gegeben|verkauft)\b.{0,160}\b(?:brauch|brauche|brauchen) (?:\S+ ){0,2}"
     r"(?:nicht|nimmer|nie|kein) ?mehr\b|\b(?:regale|regalo|di|he regalado|he dado|regalando|vendi|done)\b"
     r".{0,160}\bya no (?:\S+ ){0,2}(?:necesito|necesitare|voy a necesitar|hacen falta|me hace falta)\b|\b(?:donne|"
     r"donnee|donnes|offert|vendu|laisse)\b.{0,160}\bj en (?:aurai|aurais|ai) (?:plus|pas|jamais) besoin\b|"
     r"\b(?:dei|doei|vendi|deixei)\b.{0,160}\bnao (?:vou|irei|vai) (?:mais )?precisar\b|"
     r"\b(?:weggegeven|gegeven|weggeschonken|verkocht)\b.{0,160}\b(?:niet meer nodig|toch niet meer|nooit meer "
     r"nodig)\b"),
)
LANGUAGE_RULES = LANGUAGE_RULES + _DEV2_LANG + _DEV2_MORE + _GIVEN_AWAY

# Found in dev24 (a blind development set weighted to the other languages, dialects among them): Swiss and Austrian
# German for not waking up, for "if I weren't there", a jump from a bridge and a slap; European Portuguese for
# throwing oneself into a river and "not safe at home" as spoken; Dutch wrists cut open; "would one survive the
# fall" in each language.
_DEV24_LANG: tuple[tuple[str, str, str, str, str], ...] = (
    ("de: nimmer aufwachen", "wish_not_exist", "possible", "self",
     r"\b(?:nicht mehr|nume|numme|num|nuem|nuemme|nimmer|nimma|nie mehr|nie wieder|nid meh|nit meh|ned mehr) "
     r"(?:\S+ ){0,1}(?:aufwachen|aufzuwachen|ufwache|ufwachen|ufwacht|aufwacht|aufwach|ufzwache)\b"),
    ("de: wenn es mich nicht gabe", "burden", "possible", "self",
     r"\b(?:wenn|wes|wenns|wens|falls) (?:es |s )?(?:mich|mi) (?:\S+ ){0,2}(?:nicht|nid|ned|nit|nimma|nimmer|nume|"
     r"numme|nuem)(?: mehr| meh| meer)? (?:gabe|gab|gaebe|gaeb|gaab|gabat|gaebti|gabti)\b|\bwenn (?:ich|i) "
     r"(?:\S+ ){0,1}(?:nicht|nid|ned|nimma|nimmer|nume|numme)(?: mehr| meh)? (?:da|do|hier) (?:ware|war|waer|wari|"
     r"warat|waert)\b"),
    ("de: spring von der brucke", "intent", "possible", "self",
     r"\b(?:spring|springe|hupf|hupfe|huepf|gump|gumpe) (?:i |ich )?(?:\S+ ){0,4}(?:von|vo|vom|vor) (?:der |da |de |"
     r"dr |einer |a |an |dem |den |e )?\S*(?:brucke|bruckn|brugg|brucken|bruecke|hochhaus|klippe)\b"),
    ("de: eine ohrfeige", "harm", "clear", "harm_from_others",
     r"\b(?:hat|hod|hot|het|hatte|haett|hett) (?:mir|ma|mer|mia) (?:\S+ ){0,3}(?:eine|a|e|an|en|ne|oane) "
     r"(?:\S+ ){0,1}(?:ohrfeige|watschn|watsche|watschen|schelle|backpfeife|fotzn|chlapf|klapf)\b|"
     r"\b(?:hat|hod|hot|het|hatte) (?:mir|ma|mer|mia) (?:\S+ ){0,2}(?:eine|a|e|ne|oane) (?:geknallt|gescheuert|"
     r"geschmiert|gelangt|reingehauen|gschmiert|gschmiat|gscheuert|gwischt)\b"),
    ("pt: atirar-me", "intent", "clear", "self",
     r"\b(?:vou|decidi|quero|penso em|pensei em) (?:\S+ ){0,2}(?:me atirar|atirar me|me lancar|lancar me|jogar me) "
     r"(?:ao|a|da|do|de|para|pela|pelo|pro|pra|na frente|debaixo)\b"),
    ("pt: nao to seguro", "harm", "clear", "harm_from_others",
     r"\bnao (?:to|tou|estou|sinto|me sinto|fico|fiquei) (?:\S+ ){0,1}segur[oa] (?:em casa|aqui em casa|na minha "
     r"casa|com ele|com ela|perto dele|com o meu|com a minha|com meu|com minha)\b|\bnao e seguro (?:em casa|voltar "
     r"pra casa|voltar para casa)\b"),
    ("nl: polsen opengesneden", "self_harm", "clear", "someone_else",
     r"\b(?:z n|zn|zijn|haar|d r|dr|der) (?:\S+ )?(?:polsen?|armen|arm|benen) (?:\S+ ){0,3}(?:opengesneden|open "
     r"gesneden|doorgesneden|opengekrast|kapot gesneden|gesneden)\b"),
    ("nl: mijn polsen opengesneden", "self_harm", "clear", "self",
     r"\b(?:mijn|m n|mn|me) (?:\S+ )?(?:polsen?|armen|arm|benen) (?:\S+ ){0,3}(?:opengesneden|open gesneden|"
     r"doorgesneden|opengekrast|kapot gesneden)\b"),
    ("survive the fall, other languages", "means", "possible", "self",
     r"\b(?:on|tu|je) (?:y )?(?:survit|survis|survivrait|meurt|meurs|mourrait|creve) (?:\S+ ){0,1}si (?:on|tu|je) "
     r"(?:tombe|saute|se jette|te jettes)\b|\bse (?:sobrevive|muere) (?:\S+ ){0,1}si (?:te tiras|saltas|caes|uno "
     r"se tira|uno salta|uno cae)\b|\b(?:da|de) (?:pra|para) sobreviver (?:\S+ ){0,1}se (?:pular|cair|se jogar)\b|"
     r"\b(?:uberlebt|ueberlebt|stirbt) man (?:\S+ ){0,3}(?:sturz|wenn man (?:springt|runterspringt|fallt))\b|"
     r"\boverleef (?:je|jij|je dat) (?:\S+ ){0,3}(?:val|als je (?:springt|valt))\b"),
)
LANGUAGE_RULES = LANGUAGE_RULES + _DEV24_LANG

# Found in dev27 (the same weighting): the common words those sets' danger was told in that the rules above did not
# read: a weapon drawn or pointed, Swiss and Austrian German for being hit and for not being safe at home, a head
# hit against the wall, starving on purpose, blood drawn, "i kill myself tonight" in the present tense, an urge to
# cut, someone else who will kill themselves after some days.
_DEV27_LANG: tuple[tuple[str, str, str, str, str], ...] = (
    ("weapon drawn, other languages", "harm", "clear", "harm_from_others",
     r"\bme (?:saco|apunto|puso|amenazo con|amenaza con|saca|apunta) (?:\S+ ){0,1}(?:el |un |una |la |su )?(?:machete|"
     r"cuchillo|pistola|arma|navaja|escopeta|revolver|fierro)\b|\b(?:apontou|apontava|aponta|encostou|sacou) "
     r"(?:\S+ ){0,2}(?:arma|espingarda|revolver|pistola|faca|facao|cano) (?:pra|para|na|em|contra) (?:mim|minha "
     r"cabeca|meu peito|minha garganta|meu pescoco)\b|\bameac\w+ (?:\S+ ){0,2}com (?:uma |a |o |um )?(?:faca|arma|"
     r"revolver|pistola|facao|espingarda)\b|\bm a (?:\S+ ){0,1}(?:menacee?|braquee?) (?:\S+ ){0,2}(?:avec )?"
     r"(?:un |une |son |sa )?(?:couteau|arme|pistolet|flingue|fusil|lame|cutter)\b|\bmit (?:einem|dem|nem|am|em) "
     r"(?:messer|pistole|waffe|gewehr|baseballschlager|hammer) (?:\S+ ){0,2}(?:bedroht|bedrohte|bedrohen|auf mich|"
     r"vor mir|an (?:den|mein) hals)\b|\b(?:messer|mes) (?:\S+ ){0,1}(?:an (?:den|meinen) hals|an die kehle|"
     r"op (?:mijn|m n|mn) keel)\b"),
    ("de: gschlage", "harm", "clear", "harm_from_others",
     r"\b(?:het|hett|hot|hat|hod|hed) (?:mi|mich) (?:\S+ ){0,3}(?:gschlage|gschlagen|gschlogn|gschlagn|verhaue|"
     r"verhaut|verhaun|gwurgt|gwuergt|verpruglet|pruglet|verdrosche|gschupft|gstosse|ghaue|ghaut|gwurgd)\b|"
     r"\b(?:dehei|deheim|dihei|daheim|dahoam|dahaam|z hus|zhus|hei) (?:\S+ ){0,2}(?:nid|ned|nit|nicht|net|nod|"
     r"nimma|nume)(?: meh| mehr)? sicher\b|\b(?:fuuscht|fuscht|faust|fotzn) (?:\S+ ){0,1}(?:is|ins|in mis|in mei|in "
     r"mein) (?:gsicht|gesicht|gsich)\b"),
    ("head against the wall", "self_harm", "clear", "self",
     r"\b(?:bater|bati|bato|batendo|bate|batia) (?:com )?a (?:minha )?cabeca (?:na|contra a|contra) parede\b|"
     r"\b(?:golpeo|golpee|golpeaba|pego|pegue|doy|di|daba) (?:la cabeza|cabezazos|golpes) contra (?:la|las) "
     r"pared(?:es)?\b|\b(?:tape|tapais|cogne|cognais|frappe|frappais) (?:la )?(?:tete|crane) contre (?:le|les|un) "
     r"murs?\b|\b(?:kopf|schadel|grind|chopf) (?:\S+ ){0,2}(?:gegen|an) (?:die|d) wand (?:geschlagen|gehauen|"
     r"geknallt|gschlage|gschlagn|gehaut|gedonnert)\b|\b(?:hoofd|kop) (?:\S+ ){0,2}tegen (?:de|een) muur "
     r"(?:geslagen|gebonkt|gebeukt|slaan|bonken)\b"),
    ("starved, bled, other languages", "self_harm", "clear", "self",
     r"\babsichtlich (?:\S+ ){0,3}(?:nichts|nix|nuet|nut|nuscht) (?:mehr )?(?:gegessen|gesse|gessn|gegessn)\b|"
     r"\bbis (?:\S+ ){0,1}(?:blut|bluat|bluet) (?:kam|kommt|kommen|cho|gekommen|lauft|floss|ist)\b|\b(?:a proposito|"
     r"de proposito|expres|a drede|met opzet) (?:\S+ ){0,3}(?:sin comer|sem comer|sans manger|niks gegeten|niet "
     r"gegeten)\b"),
    ("present tense, tonight", "intent", "clear", "self",
     r"\b(?:eu )?me mato (?:hoje|amanha|essa noite|esta noite|agora|de vez|hj)\b(?! (?:de|a|na|no|em|com|"
     r"trabalhando|estudando|treinando)\b)|\b(?:hoje|amanha|essa noite|esta "
     r"noite|hj)(?: a noite| de noite| mesmo)? (?:eu )?me mato\b(?! (?:de|a|na|no|em|com|trabalhando|estudando|"
     r"treinando)\b)|\bje (?:me )?(?:tue|tuerai|suicide|"
     r"suiciderai) (?:ce soir|demain|cette nuit|aujourd hui|bientot)\b|\b(?:ce soir|cette nuit) (?:\S+ ){0,1}c "
     r"(?:est )?fini pour moi\b"),
    ("urge to cut, other languages", "self_harm", "possible", "self",
     r"\bzin om (?:\S+ ){0,2}(?:te snijden|te krassen|mezelf pijn te doen)\b|"
     r"\b(?:lust|drang) (?:\S+ ){0,2}(?:zu ritzen|mich zu ritzen|mich zu schneiden)\b|\bganas de (?:cortarme|"
     r"lastimarme)\b|\bvontade de me cortar\b|\benvie de me (?:couper|scarifier)\b"),
    ("fr: c est fini pour moi", "hopelessness", "possible", "self", r"\bc (?:est )?fini pour moi\b"),
    ("de: someone else, days ahead", "intent", "clear", "someone_else",
     r"\b(?:sie|er|dass er|dass sie) sich (?:\S+ ){0,6}(?:umbringt|umbringen will|umbringen wird|das leben nimmt|das "
     r"leben nehmen will)\b"),
)
LANGUAGE_RULES = LANGUAGE_RULES + _DEV27_LANG

# Found in dev31 (a blind set of the other languages weighted to clear danger, read as it arrived): an overdose
# told by the number or the box taken, an attempt told, a purpose of dying, and Dutch "zich doodmaken".
_MEDS_OTHER = (r"(?:pastillas|pildoras|capsulas|comprimidos|comprimes|cachets|pilules|gelules|tabletten|tabletjes|"
               r"pillen|pilletjes|remedios|medicamentos|medicaments|medikamente|medicijnen|schlaftabletten|"
               r"slaappillen|somniferos|somniferes|calmantes|antidepresivos|antidepressivos|antidepresseurs|"
               r"antidepressiva|paracetamol|ibuprofeno|ibuprofen|ibuprofene|doliprane|dafalgan|efferalgan|"
               r"clonazepam|rivotril|tafil|alprazolam|xanax|diazepam|valium|lorazepam|orfidal|tavor|tramadol|"
               r"sertralina|sertraline|sertralin|fluoxetina|fluoxetine|quetiapina|quetiapine|quetiapin|seroquel|"
               r"lithium|litio|insulina|insuline|insulin|zolpidem|stilnox|lexotan|lexomil|bromazepam|aspirina|"
               r"aspirine|aspirin|morfina|morphine|morphin|fentanil|fentanyl|tilidin|lyrica|pregabalina|gabapentina|"
               r"amitriptylin|amitriptilina|mirtazapin|mirtazapina|zopiclon|zopiclone|oxazepam|seresta|dipirona|"
               r"novalgin|benzos|ansioliticos|anxiolytiques|tranquilizantes|lormetazepam|imovane|risperidona|"
               r"olanzapina|depakine|midazolam|melatonina)")
_MANY = (r"(?:como |uns |umas |unos |unas |environ |ongeveer |bijna |etwa |so |fast |quasi |presque |casi |quase )?"
         r"(?:[1-9][0-9]|[0-9]{3}|diez|quince|veinte|treinta|cuarenta|cincuenta|dix|quinze|vingt|trente|quarante|"
         r"cinquante|zehn|funfzehn|zwanzig|dreissig|vierzig|funfzig|tien|vijftien|twintig|dertig|veertig|vijftig|dez|"
         r"vinte|trinta|quarenta|cinquenta)|(?:un|una|el|la|uma|a|o|um|une|eine|die|een|de|le) (?:\S+ )?(?:frasco|"
         r"bote|caja|blister|tira|cartela|caixa|vidro|boite|plaquette|packung|schachtel|dose|flasche|doos|strip|pot|"
         r"potje|fles|tube|schachtl|packl)(?: \S+){0,1} (?:de|d|van|voll|mit|vol|met)")
_DEV31_LANG: tuple[tuple[str, str, str, str, str], ...] = (
    ("overdose taken, other languages", "intent", "clear", "self",
     rf"\b(?:me (?:tome|trague|meti|tomo)|tome|trague|bebi|ingeri|he tomado|me he tomado|(?:me )?acabo de tomar|"
     rf"tomei|engoli|acabei de tomar|j ai (?:\S+ ){{0,1}}(?:pris|avale|gobe)|jai (?:pris|avale|gobe)|je viens "
     rf"d (?:avaler|prendre)) (?:\S+ ){{0,3}}(?:{_MANY}) (?:\S+ ){{0,2}}{_MEDS_OTHER}\b|\b(?:hab|habe|hob|heb|had) "
     rf"(?:\S+ ){{0,5}}(?:{_MANY}) (?:\S+ ){{0,2}}{_MEDS_OTHER} (?:\S+ ){{0,3}}(?:genommen|geschluckt|eingeworfen|"
     rf"reingeworfen|eingenommen|gschluckt|genomen|geslikt|ingenomen|weggeslikt)\b"),
    ("overdose taken by someone else, other languages", "intent", "clear", "someone_else",
     rf"\b(?:se (?:tomo|trago)|tomou|engoliu|a (?:\S+ ){{0,1}}(?:pris|avale)) (?:\S+ ){{0,3}}(?:{_MANY}) "
     rf"(?:\S+ ){{0,2}}{_MEDS_OTHER}\b|\b(?:hat|heeft) (?:\S+ ){{0,5}}(?:{_MANY}) (?:\S+ ){{0,2}}{_MEDS_OTHER} "
     rf"(?:\S+ ){{0,3}}(?:genommen|geschluckt|eingeworfen|genomen|geslikt|ingenomen)\b"),
    ("an attempt told, other languages", "intent", "clear", "self",
     r"\b(?:tentei|tentou|intente|intento|trate de|he intentado|versucht|geprobeerd|essaye de|tente de|j ai essaye "
     r"de|jai essaye de) (?:\S+ ){0,2}(?:me matar|me enforcar|tirar (?:a )?minha vida|matarme|suicidarme|quitarme la "
     r"vida|ahorcarme|me tuer|me suicider|me pendre|en finir|mich (?:\S+ ){0,1}(?:umzubringen|zu toten|aufzuhangen|"
     r"zu erhangen)|(?:me|mezelf) (?:\S+ ){0,2}(?:op te hangen|dood te maken|van kant te maken|te vergiftigen)|"
     r"zelfmoord te plegen)\b"),
    ("a purpose of dying, other languages", "intent", "possible", "self",
     r"\b(?:pra|para) (?:ver se )?(?:eu )?(?:morria|morresse|morrer de vez)\b|\bpara (?:ver si )?(?:me moria|me "
     r"muero|morirme)\b(?! de| del| con)|\bpour (?:voir si je )?(?:mourir|crever|en finir)\b(?! de (?:rire|faim|"
     r"froid|chaud)| avec)|\bum zu sterben\b|\bdamit ich (?:sterbe|tot bin|nicht mehr aufwache)\b|\bzodat ik "
     r"(?:dood ga|niet meer wakker word)\b"),
    ("nl: zich doodmaken", "intent", "clear", "someone_else",
     r"\b(?:ze|hij|zij|die) (?:\S+ ){0,4}zich(?:zelf)? (?:\S+ ){0,2}(?:dood ?maken|doodmaakt|van kant (?:maken|maakt)|"
     r"ophangen|ophangt|iets aan ?doen|iets aandoet)\b"),
    ("nl: me doodmaken", "intent", "clear", "self",
     r"\b(?:ik|ga|wil) (?:\S+ ){0,3}(?:me|mezelf) (?:\S+ ){0,2}(?:dood ?maken|doodmaak|op (?:te )?hangen|ophangen)\b"),
)
LANGUAGE_RULES = LANGUAGE_RULES + _DEV31_LANG

# Found in dev32 (the same weighting, read as it arrived): a slap or a punch given, in each language's words; burned
# or thrown out by someone; "esta semana me mato"; "si lo dejo me mata"; an emoji standing for the act after a
# wish ("vou me 💀").
_DEV32_LANG: tuple[tuple[str, str, str, str, str], ...] = (
    ("a slap given, other languages", "harm", "clear", "harm_from_others",
     r"\b(?:me deu|deu me|me deram|levei) (?:\S+ ){0,1}(?:uma|um) (?:chapada|bofetada|tapa|soco|murro|estalo|porrada|"
     r"pontape|bofetao|tabefe)\b|\bme (?:dio|pego|metio|dieron|pegaron|metieron|solto) (?:\S+ ){0,1}(?:una|un|unas|"
     r"unos) (?:bofetada|bofetadas|cachetada|cachetadas|punetazo|punetazos|patada|patadas|pina|pinas|"
     r"trompada|cachetazo|cachetazos|tortazo|hostia|hostias|guantazo|galleta|ostia)\b|\bm a (?:\S+ ){0,1}(?:mis|"
     r"donne|colle|file|flanque|balance) (?:\S+ ){0,1}(?:une|un|des) (?:claque|claques|gifle|gifles|baffe|baffes|coup "
     r"de poing|coups de poing|coup de pied|coups de pied|beigne|tarte|patate|mandale|torgnole)\b|\b(?:gaf|geeft|"
     r"gaven) (?:me|mij) (?:\S+ ){0,1}(?:een )?(?:klap|klappen|mep|trap|stomp|schop|oplawaai|dreun|knal|pak slaag)\b|"
     r"\b(?:m a|ma) (?:\S+ ){0,1}(?:brulee?|enfermee?|tabassee?|cognee?|etouffee?|trainee? par les cheveux|tiree? par "
     r"les cheveux|foutue? dehors|mise? dehors|jetee? dehors)\b"),
    ("es: me mato, a day", "intent", "clear", "self",
     r"\bme (?:mato|suicido)(?: esta (?:noche|semana|tarde)| hoy| manana| ya| pronto| este (?:finde|fin de semana)| "
     r"el (?:lunes|martes|miercoles|jueves|viernes|sabado|domingo))\b(?! (?:de|a|en|con|por|trabajando|estudiando|"
     r"entrenando|haciendo)\b)|\b(?:esta (?:noche|semana)|hoy|manana|este "
     r"finde) (?:\S+ ){0,1}me (?:mato|suicido)\b(?! (?:de|a|en|con|por|trabajando|estudiando|entrenando|haciendo)\b)"),
    ("es: if I leave he kills me", "harm", "clear", "harm_from_others",
     r"\bsi (?:lo|la|le|te) (?:dejo|denuncio|cuento|abandono) (?:\S+ ){0,2}me (?:mata|matara|va a matar)\b|\bse eu "
     r"(?:\S+ ){0,1}(?:largar|deixar|denunciar|contar) (?:\S+ ){0,2}(?:me mata|vai me matar|ele me mata)\b|\bsi je "
     r"(?:le |la )?(?:quitte|denonce) (?:\S+ ){0,2}(?:il|elle) me tue\b|\bals ik (?:\S+ ){0,2}(?:verlaat|aangeef|"
     r"weg ga) (?:\S+ ){0,2}(?:maakt hij|maakt ze|vermoordt hij) me\b|\bwenn ich (?:ihn|sie) (?:verlasse|anzeige) "
     r"(?:\S+ ){0,2}bringt (?:er|sie) mich um\b"),
    ("an emoji for the act after a wish, other languages", "intent", "clear", "self",
     r"\b(?:vou|vo|quero|voy a|quiero|je vais|jvais|j vais|ich werde|ich will|ik ga|ik wil) (?:me |mich |mezelf "
     r")?(?:die|hang myself|shoot)\b(?! de (?:risa|rir|rire)| van (?:het )?lachen| vor lachen)"
     r"(?!.{0,60}\b(?:ha(?:ha)+\w*|ja(?:ja)+\w*|k{3,}\w*|mdr|ptdr|lol|lmao|xd|laughing emoji|js(?:js)+\w*|rsrs\w*)\b)"),
)
LANGUAGE_RULES = LANGUAGE_RULES + _DEV32_LANG


# Found in dev41 (an eighth session's blind set in the other languages, read as it arrived): legs or arms slashed by
# someone else, a throat-cutting threat, bleach drunk; and from dev46, a threat to have the writer hit or killed.
_DEV41_LANG: tuple[tuple[str, str, str, str, str], ...] = (
    ("fr: someone else slashed", "self_harm", "clear", "someone_else",
     r"\b(?:il|elle|mon \S+|ma \S+) (?:\S+ ){0,1}s est (?:\S+ )?(?:taillade|tailladee|scarifie|scarifiee|entaille|"
     r"entaillee|ouvert|ouverte) (?:les|ses|le|la) (?:jambes|bras|poignets|poignet|cuisses|veines)\b"),
    ("fr: a throat-cutting threat", "harm", "clear", "harm_from_others",
     r"\b(?:il|elle|ils) (?:\S+ ){0,2}(?:m egorge|m egorgera|va m egorger|vont m egorger|m egorgerait)\b"),
    ("bleach drunk, other languages", "self_harm", "clear", "self",
     r"\b(?:j ai|jai) bu (?:\S+ ){0,2}(?:eau de )?javel\b|\b(?:tome|bebi|me tome|tomei) (?:\S+ ){0,2}(?:lejia|cloro|"
     r"lavandina|agua sanitaria|candida)\b|\bich (?:habe|hab) (?:\S+ ){0,2}(?:chlorreiniger|bleiche|domestos) "
     r"getrunken\b|\bik heb (?:\S+ ){0,2}(?:bleek|chloor|bleekwater) (?:\S+ ){0,1}gedronken\b"),
    ("bleach drunk by someone else, other languages", "self_harm", "clear", "someone_else",
     r"\b(?:il|elle|mon \S+|ma \S+) (?:\S+ ){0,2}a bu (?:\S+ ){0,2}(?:eau de )?javel\b|\b(?:se tomo|bebio|tomou|bebeu) "
     r"(?:\S+ ){0,2}(?:lejia|cloro|lavandina|agua de javel|agua sanitaria|candida)\b|\b(?:er|sie) hat (?:\S+ ){0,2}"
     r"(?:chlorreiniger|bleiche|domestos) getrunken\b|\b(?:hij|zij|ze) heeft (?:\S+ ){0,2}(?:bleek|chloor|bleekwater) "
     r"(?:\S+ ){0,1}gedronken\b"),
    ("a threat to have me hit, other languages", "harm", "clear", "harm_from_others",
     r"\bameac\w* (?:\S+ ){0,6}(?:me (?:bater\w*|matar\w*|espancar\w*|agredir\w*)|bater me|matar me|espancar me)\b|"
     r"\bamenaz\w* (?:\S+ ){0,6}(?:pegarme|matarme|golpearme|me (?:pegue\w*|mate\w*|golpee\w*|peguen|maten))\b|"
     r"\b(?:gedroht|droht|drohte|drohen|bedroht) (?:\S+ ){0,5}(?:zu schlagen|umzubringen|zu toten|zu verprugeln|"
     r"kaltzumachen|abzustechen)\b|\bdreig\w* (?:\S+ ){0,4}(?:me|mij) (?:\S+ ){0,3}(?:te slaan|te vermoorden|dood te "
     r"maken|in elkaar te slaan|neer te steken)\b|\bmenac\w* (?:\S+ ){0,5}de me (?:frapper|tuer|buter|taper|cogner|"
     r"defoncer|planter)\b"),
)
LANGUAGE_RULES = LANGUAGE_RULES + _DEV41_LANG
