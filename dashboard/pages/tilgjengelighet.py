"""Tilgjengelighetserklæring (accessibility statement), in bokmål: what the target is,
what is tested and how, what is known not to work, and whom to contact."""
import dash
from dash import dcc, html

dash.register_page(
    __name__,
    path="/tilgjengelighet",
    name="Tilgjengelighet",
    title="Tilgjengelighetserklæring – Tiltaksmonitor",
    order=100,
    filters=False,
)

#: To be filled in by AVdir before the service is put into use.
CONTACT_PLACEHOLDER = "[e-postadresse for tilbakemeldinger – fylles inn av Arbeids- og velferdsdirektoratet]"


def layout(**_query):
    return html.Article(
        [
            html.H1("Tilgjengelighetserklæring"),
            html.P(
                "Tiltaksmonitor skal kunne brukes av alle, også av dem som bruker skjermleser, tastatur "
                "i stedet for mus, forstørrelse eller har nedsatt fargesyn. Målet er at løsningen oppfyller "
                "WCAG 2.1 på nivå AA, som er kravet i forskrift om universell utforming av IKT-løsninger. "
                "Denne erklæringen sier ærlig hva vi har testet, hvordan, og hva vi vet ikke fungerer godt nok."
            ),
            html.H2("Status"),
            html.P(
                "Tiltaksmonitor er under utvikling. Vi vet ikke om løsningen oppfyller alle kravene, fordi den "
                "ikke er gjennomgått manuelt mot hele WCAG 2.1 AA. Den automatiske testingen som er beskrevet "
                "under, finner bare en del av mulige feil."
            ),
            html.H2("Slik tester vi"),
            html.Ul(
                [
                    html.Li(
                        "Automatisk test med axe-core (verktøyet axe-selenium-python) i nettleseren Chromium "
                        "uten skjerm (headless). Testene kjøres på oversiktssiden og på denne siden ved hver "
                        "endring av koden, og de feiler hvis axe finner brudd med alvorlighetsgrad «serious» "
                        "eller «critical»."
                    ),
                    html.Li(
                        "De samme testene kontrollerer at nettleseren ikke melder feil i konsollen, og at ingen "
                        "filer hentes fra internett: stilark, skript og skrifttyper leveres av løsningen selv."
                    ),
                    html.Li(
                        "axe-core sjekker bare det som vises på skjermen når testen kjører, med "
                        "standardinnstillingene. Menyer som åpnes, tabellfiltre og andre sider enn de to som er "
                        "nevnt, er ikke testet automatisk."
                    ),
                    html.Li(
                        "Vi har ikke testet med skjermlesere (som NVDA, JAWS eller VoiceOver), ikke gjort "
                        "brukertester med personer med nedsatt funksjonsevne og ikke systematisk testet "
                        "forstørrelse til 400 %."
                    ),
                ]
            ),
            html.H2("Dette har vi gjort for tilgjengeligheten"),
            html.Ul(
                [
                    html.Li("Språket på sidene er oppgitt som norsk bokmål, slik at skjermlesere leser riktig."),
                    html.Li("En lenke øverst på hver side hopper rett til hovedinnholdet."),
                    html.Li(
                        "Filtrene er vanlige nedtrekkslister og radioknapper med synlige ledetekster, og kan "
                        "brukes med tastatur. Filtervalgene står i adressefeltet, så en delt lenke viser det samme."
                    ),
                    html.Li("Elementer som har fokus, får en tydelig ramme."),
                    html.Li(
                        "Figurene bruker fargepaletten til Okabe og Ito og fargeskalaen cividis, som kan skilles "
                        "ved de vanligste formene for nedsatt fargesyn. Tallene står også som tekst i figurene."
                    ),
                    html.Li(
                        "Hver figur har en kort tekst om hva den viser og hvordan den leses, og tallene bak kan "
                        "lastes ned som CSV eller Excel."
                    ),
                    html.Li("Tall og datoer skrives på norsk måte (1 234 567 kr, 77,9 %, 30.06.2021)."),
                ]
            ),
            html.H2("Kjente begrensninger"),
            html.Ul(
                [
                    html.Li(
                        "De interaktive figurene er grafikk. En skjermleser kan ikke lese verdiene i figuren "
                        "direkte, og tekst som vises når musepekeren holdes over figuren, er ikke tilgjengelig med "
                        "tastatur. Bruk tabellene eller nedlastingen for å få de samme tallene."
                    ),
                    html.Li(
                        "Verktøylinjen i figurene (zoom, lagre som bilde) er laget for mus og har engelske "
                        "ledetekster."
                    ),
                    html.Li(
                        "De store tabellene (rutenett som kan sorteres og filtreres) kan være krevende å navigere "
                        "i med skjermleser. Nedlasting som CSV eller Excel er et alternativ."
                    ),
                    html.Li("Når et filter endres, oppdateres innholdet uten at skjermleseren alltid sier fra om det."),
                ]
            ),
            html.H2("Tilbakemelding og kontakt"),
            html.P(
                [
                    "Opplever du at noe ikke fungerer, eller trenger du innholdet i en annen form? "
                    "Ta kontakt med Arbeids- og velferdsdirektoratet: ",
                    html.Span(CONTACT_PLACEHOLDER, id="tilgjengelighet-kontakt"),
                    ". Beskriv gjerne hvilken side det gjelder, og hva du prøvde å gjøre.",
                ]
            ),
            html.P(
                "Får du ikke svar, eller er du ikke fornøyd med svaret, kan du melde fra til Tilsynet for "
                "universell utforming av IKT (Digitaliseringsdirektoratet)."
            ),
            html.P(dcc.Link("Tilbake til oversikten", href="/")),
        ],
        className="prose",
    )
