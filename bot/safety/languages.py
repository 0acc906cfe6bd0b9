"""The grammar in German, Spanish, French, Portuguese and Dutch, the languages of the countries `/settings`
offers. The rules read the same accent-free, lower-case line as the English ones ("schlägt" is "schlagt",
"não" is "nao", "j'ai" is "j ai"); the semantic layer stays English-only (see docs/safety.md).
"""

from __future__ import annotations

# (name, category, level, about, pattern); built into grammar.Rule objects by bot/safety/grammar.py.
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
     r"\bwie viele (?:\S+ ){0,2}(?:tabletten|schlaftabletten|pillen)\b|\btodlich(?:e dosis)?\b|\babschiedsbrief"),
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
     r"\bme (?:corte|corto|cortaba|lastimo|quemo|golpeo)\b(?! el pelo| las unas| con papel| cocinando)|"
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
     r"\bcuantas (?:\S+ ){0,2}(?:pastillas|pildoras)\b|\bdosis (?:letal|mortal)\b|\bcarta de despedida\b"),
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
     r"brule|suis (?:encore |de nouveau )?(?:coupee?|scarifiee?|brulee?))\b(?! en cuisinant| avec le four)"),
    ("fr: raison de vivre", "hopelessness", "possible", "self",
     r"\b(?:aucune|plus de|pas de|plus aucune) raison de (?:vivre|continuer)\b|\bj en peux plus de vivre\b|"
     r"\b(?:envie de|veux) disparaitre\b"),
    ("fr: mieux sans moi", "burden", "possible", "self",
     r"\bmieux sans moi\b|\b(?:un poids|un fardeau|une charge) pour\b|\bje suis un (?:poids|fardeau)\b"),
    ("fr: ne jamais me reveiller", "wish_not_exist", "possible", "self",
     r"\b(?:ne jamais|ne plus|pas) me reveiller\b"),
    ("fr: comprimes", "means", "possible", "self",
     r"\bcombien de (?:\S+ ){0,2}(?:comprimes|cachets|pilules)\b|\bdose (?:mortelle|letale)\b|\blettre d ?adieu\b"),
    ("fr: il me frappe", "harm", "clear", "harm_from_others",
     r"\bme (?:frappe|bat|menace|gifle|etrangle|viole)\b|\bm a (?:\S+ ){0,1}(?:frappee?|menacee?|etranglee?|"
     r"battue?|violee?|poussee?|giflee?)\b|\bpas en securite (?:chez moi|a la maison|avec lui)\b|\bpeur de (?:mon|"
     r"ma) (?:mari|copain|compagnon|pere|beau pere|femme|copine)\b|\bviolences? conjugales?\b|\bpeur de rentrer\b"),
    ("fr: quelqu un d autre", "intent", "clear", "someone_else",
     r"\b(?:elle|il) (?:\S+ ){0,3}(?:se suicider|se tuer|en finir|mettre fin a ses jours)\b|\bmessage d ?adieu\b"),
    # --- Português
    ("pt: quero morrer", "intent", "clear", "self",
     r"\b(?:quero|vou|queria|penso em|pensando em|vontade de) (?:\S+ ){0,2}(?:morrer|me matar|tirar (?:a )?minha "
     r"vida|acabar com (?:a )?minha vida)\b|\bnao quero (?:\S+ ){0,2}(?:viver|acordar)\b|\b(?:suicidio|suicida|"
     r"automutilacao|me cortar|me cortei|me machucar|me machuquei)\b"),
    ("pt: sem sentido", "hopelessness", "possible", "self",
     r"\bnada (?:mais )?faz sentido\b|\bnao tem sentido (?:viver|continuar)\b|\bcansad[oa] de viver\b|"
     r"\b(?:sumir|desaparecer) (?:pra|para) sempre\b"),
    ("pt: melhor sem mim", "burden", "possible", "self",
     r"\bmelhor sem mim\b|\bsou (?:um|uma) (?:peso|fardo)\b"),
    ("pt: nao acordar", "wish_not_exist", "possible", "self", r"\bnao acordar mais\b|\bdormir e nao acordar\b"),
    ("pt: comprimidos", "means", "possible", "self",
     r"\bquantos (?:\S+ ){0,3}(?:comprimidos|remedios|pilulas)\b|\bdose (?:letal|fatal)\b|\bcarta de despedida\b"),
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
     r"\bhoeveel (?:\S+ ){0,2}(?:is dodelijk|pillen|paracetamol)\b|\bdodelijke dosis\b|\bafscheidsbrief\b"),
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
