"""Tiltak ideas: names, metadata and report texts in plausible Norwegian.

Each idea is reused at several offices with small variations, as happens in the real
scheme; that is what gives the 'similar tiltak' search something to find, failed
attempts included (the file-drawer problem the report warns about).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Idea:
    key: str
    names: tuple[str, ...]
    kategorier: tuple[str, ...]
    lovparagrafer: tuple[str, ...]
    alder: tuple[int, int]
    malgruppe: str
    beskrivelse: str               # may contain {sted}
    utviklet: tuple[str, ...]
    suksess: tuple[str, ...]
    utfordringer: tuple[str, ...]
    hvordan: str                   # how it is continued
    feilet: str                    # why it was not continued (videreforing 'nei')


IDEAS: tuple[Idea, ...] = (
    Idea("familiekoordinator",
         ("Familiekoordinator for lavinntektsfamilier", "Helhetlig oppfølging av barnefamilier",
          "Familieteam i {sted}"),
         ("familiekoordinator", "barnefamilier", "arbeid", "bolig"), ("§17", "§18"), (0, 17),
         "Lavinntektsfamilier med barn under 18 år som har mottatt økonomisk sosialhjelp over tid.",
         "En familiekoordinator i {sted} følger et fast antall familier tett og ser arbeid, bolig, "
         "økonomi og barnas fritid i sammenheng.",
         ("Fast familiekoordinator for 12 familier; felles kartleggingsverktøy med barnevernet.",
          "Flere foreldre i arbeid eller utdanning, og barna deltar oftere i fritidsaktiviteter."),
         ("Tett og langvarig kontakt med én koordinator.", "Forankring hos ledelsen i kommunen."),
         ("Sykefravær hos koordinator ga brudd i oppfølgingen.", "Vanskelig å finne egnede boliger."),
         "Koordinatorstillingen videreføres i ordinært budsjett.",
         "Kommunen prioriterte ikke stillingen i budsjettet etter tilskuddsperioden."),
    Idea("gjeld",
         ("Økonomisk rådgivning og gjeldsrådgivning for unge", "Gjeldsrådgivning i {sted}",
          "Økonomiveiledning for unge voksne"),
         ("gjeldsrådgivning", "ungdom", "opplæring"), ("§17",), (18, 30),
         "Unge voksne med betalingsproblemer, inkassosaker eller lite erfaring med privatøkonomi.",
         "Egen økonomirådgiver gir individuell gjeldsrådgivning og holder kurs i privatøkonomi "
         "for unge i {sted}.",
         ("Kursrekke i privatøkonomi (fire samlinger) og drop-in-timer.",
          "Flere har fått oversikt over gjelden og inngått nedbetalingsavtaler."),
         ("Lav terskel: drop-in uten timeavtale.", "Samarbeid med namsmannen og kreditorer."),
         ("Få deltakere møtte på kursene.", "Lang ventetid for gjeldsordning."),
         "Rådgivningen inngår i kontorets ordinære økonomitjeneste.",
         "For få deltakere; tilbudet ble slått sammen med ordinær økonomisk rådgivning."),
    Idea("ungdomslos",
         ("Ungdomslos", "Ungdomsteam for unge under 30", "Los for unge i {sted}"),
         ("ungdom", "arbeid", "opplæring"), ("§17", "§20a"), (16, 29),
         "Ungdom 16-29 år som har falt ut av skole eller arbeid, eller står i fare for det.",
         "En los i {sted} møter ungdommen der den er, utenfor kontoret, og følger opp mot skole, "
         "arbeid og helsetjenester.",
         ("Fast los og oppsøkende arbeid; samarbeid med oppfølgingstjenesten i fylket.",
          "Over halvparten av deltakerne er i aktivitet etter seks måneder."),
         ("Fleksibel tid og oppmøte der ungdommen er.", "Samarbeid med skole og helsetjeneste."),
         ("Høyt sykefravær i teamet.", "Mange av ungdommene hadde behov for helsetjenester først."),
         "Losfunksjonen er lagt inn i ungdomsteamet.",
         "Tiltaket nådde ikke målgruppen; de fleste var allerede fulgt opp av andre tjenester."),
    Idea("jobbsentral",
         ("Jobbsentral for unge", "Sommerjobb og småjobber for ungdom", "Ungdomsjobb i {sted}"),
         ("ungdom", "arbeid"), ("§17",), (15, 24),
         "Ungdom 15-24 år uten jobb eller skoleplass, eller i fare for å falle ut.",
         "Formidling av småjobber og sommerjobber i lokalt næringsliv, med en jobbveileder som "
         "følger opp ungdommen i {sted}.",
         ("Jobbsentral med 40 lokale arbeidsgivere.", "Om lag 60 ungdommer fikk sin første jobberfaring."),
         ("Lokale arbeidsgivere som stilte opp.", "Kort vei fra første kontakt til første oppdrag."),
         ("Vanskelig å skaffe oppdrag om vinteren.",),
         "Videreføres i samarbeid med kommunens ungdomstjeneste.",
         "Arbeidsgiverne trakk seg under pandemien; tiltaket ble avviklet."),
    Idea("sprak",
         ("Språkpraksis med mentor", "Arbeidsnorsk på arbeidsplassen", "Norsk og arbeid i {sted}"),
         ("innvandrere", "opplæring", "arbeid"), ("§17", "§29"), (18, 55),
         "Innvandrere med svake norskferdigheter som mottar økonomisk sosialhjelp.",
         "Språkpraksis i ordinære virksomheter der en kollega er språkmentor, kombinert med "
         "arbeidsrettet norskopplæring i {sted}.",
         ("15 språkmentorer er lært opp.", "Sju av tolv deltakere fikk tilbud om jobb."),
         ("Mentorer i virksomhetene.", "Norskopplæring knyttet til arbeidsoppgavene."),
         ("Vanskelig å finne praksisplasser.", "Deltakerne hadde ulike norskferdigheter."),
         "Mentormodellen brukes videre i kvalifiseringsprogrammet.",
         "For få praksisplasser; tiltaket ble avsluttet."),
    Idea("bolig",
         ("Boligsosialt team", "Fra leie til eie", "Bolig først i {sted}"),
         ("bolig", "barnefamilier"), ("§15", "§17"), (18, 67),
         "Vanskeligstilte på boligmarkedet, særlig barnefamilier i midlertidige boliger.",
         "Et boligsosialt team i {sted} hjelper familier over i egnet bolig, med startlån og "
         "oppfølging i boligen.",
         ("Felles inntak med boligkontoret.", "18 familier har flyttet til egnet bolig."),
         ("Samarbeid med boligkontor og Husbanken.",),
         ("Få egnede utleieboliger.", "Høye priser."),
         "Teamet er gjort permanent.",
         "Boligmarkedet ga for få muligheter; teamet ble lagt ned."),
    Idea("rus",
         ("Lavterskel oppfølging rus og psykisk helse", "Oppfølging i egen bolig"),
         ("rus", "psykisk helse", "bolig"), ("§17", "§27"), (18, 67),
         "Personer med rus- eller psykiske helseutfordringer som mottar sosialhjelp.",
         "Tett oppfølging i hjemmet og på lavterskelarenaer i {sted}, i samarbeid med "
         "kommunens rus- og psykiatritjeneste.",
         ("Felles oppfølgingsteam med helsetjenesten.", "Færre akutte henvendelser om nødhjelp."),
         ("Samlokalisering med helsetjenesten.",),
         ("Taushetsplikt gjorde samarbeidet tungt i starten.",),
         "Videreført som del av det kommunale FACT-teamet.",
         "Helsetjenesten trakk seg; NAV kunne ikke drive tiltaket alene."),
    Idea("skoleovergang",
         ("Overgang til videregående", "Fullfør skolen", "Skolelos i {sted}"),
         ("ungdom", "opplæring", "barnefamilier"), ("§17",), (15, 19),
         "Ungdom i familier som mottar sosialhjelp, i overgangen fra ungdomsskole til videregående.",
         "En skolelos følger elever og foreldre gjennom overgangen til videregående skole i {sted}.",
         ("Faste møter med rådgivere på skolene.", "Færre avbrudd første skoleår."),
         ("Tidlig kontakt, før skolestart.",),
         ("Vanskelig å nå foreldrene.",),
         "Videreført i samarbeid med skolene.",
         "Skolene hadde egne tilbud; tiltaket ble overflødig."),
    Idea("aktivitetsgruppe",
         ("Aktivitetsgruppe for unge med vilkår", "Gruppebasert oppfølging for unge under 30"),
         ("ungdom", "arbeid", "aktivitetsplikt"), ("§20a",), (18, 29),
         "Unge under 30 år som mottar økonomisk sosialhjelp og har aktivitetsplikt.",
         "Gruppesamlinger flere dager i uken med arbeidsrettede aktiviteter, som vilkår etter § 20 a, "
         "i {sted}.",
         ("Fast gruppeplan på fem uker.", "Flere har gått videre til arbeid eller utdanning."),
         ("Tydelig struktur og forventninger.",),
         ("Ujevnt oppmøte.",),
         "Gruppen er kontorets faste tilbud ved aktivitetsplikt.",
         "For lavt oppmøte; erstattet av individuell oppfølging."),
    Idea("fritid",
         ("Fritid for alle barn", "Fritidskoordinator", "Ferie og fritid i {sted}"),
         ("barnefamilier", "fritid"), ("§17",), (6, 17),
         "Barn i lavinntektsfamilier som ikke deltar i organiserte fritidsaktiviteter.",
         "En fritidskoordinator i {sted} hjelper barn inn i fritidsaktiviteter og skaffer utstyr.",
         ("Utstyrssentral og faste kontaktpersoner i idrettslagene.", "Over 100 barn er med i en aktivitet."),
         ("Samarbeid med frivillige lag.",),
         ("Transport til aktivitetene.",),
         "Koordinatoren er flyttet til kultur- og fritidsetaten.",
         "Tilbudet overlappet med kommunens eget fritidskort."),
    Idea("erfaringskonsulent",
         ("Erfaringskonsulent i NAV", "Brukermedvirkning med erfaringskonsulent"),
         ("brukermedvirkning", "rus", "psykisk helse"), ("§17",), (18, 67),
         "Brukere av sosiale tjenester med erfaring fra rus, psykiske vansker eller langvarig sosialhjelp.",
         "En erfaringskonsulent i {sted} deltar i veiledningen og i utviklingen av tjenestene.",
         ("Brukerråd og faste brukerundersøkelser.", "Endrede rutiner for mottak."),
         ("Erfaringskompetanse ble tatt på alvor av ledelsen.",),
         ("Uklar rolle i starten.",),
         "Stillingen er videreført.",
         "Konsulenten sluttet og stillingen ble ikke lyst ut på nytt."),
    Idea("digital",
         ("Digital veiledning i sosiale tjenester", "Videoveiledning for sosialhjelpsmottakere"),
         ("digitalisering", "opplæring"), ("§17",), (18, 67),
         "Brukere som har vansker med digitale tjenester.",
         "Veiledning i digitale søknader og videomøter i {sted}.",
         ("Faste digitale kurs.", "Flere søker digitalt."),
         ("Enkle verktøy.",),
         ("Noen brukere mangler utstyr.",),
         "Kursene inngår i mottaket.",
         "Lav etterspørsel; tiltaket ble avsluttet."),
    Idea("arbeid_forst",
         ("Arbeid først for langtidsmottakere", "Jobbspesialist for sosialhjelpsmottakere"),
         ("arbeid",), ("§17", "§18", "§20"), (18, 67),
         "Langtidsmottakere av økonomisk sosialhjelp.",
         "En jobbspesialist i {sted} følger brukerne ut i ordinært arbeid etter IPS-prinsipper.",
         ("Metodestøtte fra IPS-miljøet.", "Om lag en tredel i arbeid etter ett år."),
         ("Rask jobbsøking.", "Tett kontakt med arbeidsgivere."),
         ("Mange hadde helseutfordringer.",),
         "Videreført med kommunale midler.",
         "Resultatene var svake og kontoret prioriterte andre tiltak."),
    Idea("kvp",
         ("Styrket kvalifiseringsprogram", "KVP med arbeidstrening"),
         ("arbeid", "innvandrere", "opplæring"), ("§29", "§17"), (18, 67),
         "Deltakere i kvalifiseringsprogrammet.",
         "Mer arbeidsrettet innhold i kvalifiseringsprogrammet i {sted}.",
         ("Nye avtaler med arbeidsgivere.",),
         ("Tett oppfølging.",),
         ("Få plasser.",),
         "Innholdet er tatt inn i programmet.",
         "Programmet ble lagt om av andre grunner."),
    Idea("interkommunalt",
         ("Interkommunalt team for sosiale tjenester", "Felles sosialfaglig team"),
         ("interkommunalt samarbeid", "kompetanse"), ("§17",), (18, 67),
         "Små NAV-kontorer med få ansatte i sosiale tjenester.",
         "Flere kommuner rundt {sted} deler et sosialfaglig team for å styrke kompetansen.",
         ("Felles fagdager og vaktordning.",),
         ("Korte avstander mellom kontorene.",),
         ("Ulike rutiner i kommunene.",),
         "Samarbeidet er avtalefestet.",
         "Kommunene ble ikke enige om kostnadsfordelingen."),
    Idea("kompetanse",
         ("Kompetanseløft i sosialfaglig arbeid", "Kompetanseheving i § 20 a-vilkår"),
         ("kompetanse", "opplæring"), ("§17", "§20a"), (18, 67),
         "Ansatte som arbeider med sosiale tjenester i {sted}.",
         "Fagdager, veiledning og felles maler for vedtak etter §§ 17 og 20 a.",
         ("Nye maler for vedtak.", "Bedre kvalitet i stikkprøvene."),
         ("God oppslutning.",),
         ("Travle perioder.",),
         "Fagdagene videreføres.",
         "Ingen tid til fagdager i en travel periode."),
    Idea("aleneforeldre",
         ("Aleneforeldre i arbeid", "Enslige forsørgere i jobb"),
         ("barnefamilier", "arbeid"), ("§17", "§18"), (18, 45),
         "Enslige forsørgere som mottar sosialhjelp.",
         "Oppfølging mot arbeid kombinert med hjelp til barnepass i {sted}.",
         ("Samarbeid med barnehagene.",),
         ("Fleksible tider.",),
         ("Barnepass utenom ordinær tid.",),
         "Videreført i ordinær oppfølging.",
         "For få deltakere."),
    Idea("kvinner",
         ("Kvinner i arbeid", "Innvandrerkvinner i jobb"),
         ("innvandrere", "arbeid", "barnefamilier"), ("§17", "§29"), (18, 55),
         "Innvandrerkvinner som står langt fra arbeidslivet.",
         "Gruppe- og individuell oppfølging med språk, praksis og nettverk i {sted}.",
         ("Praksisplasser i helse og omsorg.",),
         ("Trygge rammer i gruppen.",),
         ("Barnepass.",),
         "Videreført som fast gruppe.",
         "Tiltaket ble erstattet av et statlig program."),
)

#: the seven promising methods' own tiltak, by metode_id
METHOD_TEXTS: dict[str, dict[str, str]] = {
    "festesona": dict(
        malgruppe="Domfelte 18-30 år før, under og etter soning.",
        beskrivelse="Festesona gir unge domfelte en fast kontaktperson i NAV Alna fra før soning til "
                    "etter løslatelse, med bolig, økonomi, skole og arbeid i en plan.",
        utviklet="Samarbeid med kriminalomsorgen og friomsorgen; 25 unge fulgt opp i 2021.",
        suksess="Kontakt før løslatelse; samme veileder hele veien.",
        utfordringer="Taushetsplikt mellom etatene; overføringer mellom fengsler.",
        hvordan="Videreføres i ordinær drift."),
    "jobbsentralen": dict(
        malgruppe="Ungdom 15-24 år i risiko for utenforskap (NEET), universelt tilbud utenfor NAV-kontoret.",
        beskrivelse="Jobbsentralen formidler småjobber og sommerjobber og følger opp unge ressurser "
                    "i Asker, med lokaler utenfor NAV-kontoret.",
        utviklet="Over 200 unge har fått oppdrag; egen arbeidsgiverportefølje.",
        suksess="Universelt tilbud uten stempel; samarbeid med næringslivet.",
        utfordringer="Sesongvariasjon i oppdrag.",
        hvordan="Fortsetter."),
    "ssa": dict(
        malgruppe="Innvandrere med begrensede norskferdigheter.",
        beskrivelse="SSA kombinerer sysselsetting, språkombud på arbeidsplassen og arbeidsnorsk. "
                    "Språkombudene er kolleger som får opplæring i å støtte språkutviklingen.",
        utviklet="12 lærlinger i 2021 (4 i arbeid), 12 i 2022 (6 i arbeid); over 60 språkombud lært opp.",
        suksess="Språkombud i virksomhetene; norsk knyttet til arbeidsoppgavene.",
        utfordringer="Å rekruttere virksomheter under pandemien.",
        hvordan="Fortsetter; følgeprosjekt i tre andre kontorer."),
    "nye-monstre": dict(
        malgruppe="Lavinntektsfamilier med barn 0-17 år.",
        beskrivelse="Nye mønstre – trygg oppvekst: en familiekoordinator følger om lag ti familier "
                    "helhetlig. Modellen ble startet av Kristiansand kommune i 2016.",
        utviklet="Familiekoordinator for ti familier; felles plan med familien.",
        suksess="Helhetlig plan for hele familien; én koordinator.",
        utfordringer="Krevende å avslutte oppfølgingen av familiene.",
        hvordan="Avsluttet i Grimstad; modellen prøves videre i Lindesnes og Lister."),
    "skolekompasset": dict(
        malgruppe="Ungdom med foreldre som mottar sosialhjelp, i overgangen fra ungdomsskole til videregående.",
        beskrivelse="Skolekompasset følger ungdom og foreldre gjennom overgangen fra ungdomsskole "
                    "til videregående skole i bydel Grünerløkka.",
        utviklet="Faste møter med skolene; mal for et Stimulab-prosjekt.",
        suksess="Tidlig kontakt og samarbeid med skolene.",
        utfordringer="Å nå foreldrene.",
        hvordan="Videreført gjennom et prosjekt mot skolefrafall."),
    "back-to-school": dict(
        malgruppe="Ungdom 16-30 år med rett til videregående opplæring.",
        beskrivelse="Back to School / Stay at School hjelper unge tilbake til og gjennom "
                    "videregående opplæring, med veiledning og tilrettelagte eksamener.",
        utviklet="Om lag 90 eksamener tatt, om lag 80 bestått.",
        suksess="Samarbeid med fylkeskommunen og voksenopplæringen.",
        utfordringer="Finansiering etter tilskuddsperioden.",
        hvordan="Ordinær drift fra 2023."),
    "oygarden-modellen": dict(
        malgruppe="Unge under 30 år med aktivitetsplikt.",
        beskrivelse="Øygarden-modellen er gruppesamlinger for 6-14 personer, 2,5 timer to dager i "
                    "uken i fem uker, som vilkår etter § 20 a.",
        utviklet="Fast gruppeopplegg; flere i arbeid eller utdanning etter gruppen.",
        suksess="Struktur, felleskap og tydelige forventninger.",
        utfordringer="Ujevnt oppmøte de første ukene.",
        hvordan="Videreført som kontorets gruppetiltak."),
}

ENDRINGER = (
    "Ingen vesentlige endringer.", "Ingen endringer i målgruppen.",
    "Oppstart ble utsatt på grunn av koronapandemien.", "Ny prosjektleder fra høsten.",
    "Målgruppen er utvidet til også å gjelde unge over 25 år.",
    "Tiltaket ble delvis digitalt under nedstengningen.", "Færre deltakere enn planlagt.",
)

MAALOPPNAELSE = (
    "Registrering av deltakere og utfall i fagsystemet.", "Spørreundersøkelse blant deltakerne.",
    "Intervjuer med deltakere og samarbeidspartnere.", "Telling av deltakere i arbeid eller utdanning etter seks måneder.",
    "Egenevaluering i prosjektgruppen.", "Følgeevaluering ved en høgskole.",
)
