"""The translation service's HTTP routes: the catalogue and the language management tool
(catalogue.py); machine translation in its own module."""

from gateway.translation import catalogue, machine

ROUTES = (*catalogue.ROUTES, *machine.ROUTES)
MIXINS = (catalogue.TranslationCatalogueApi, machine.MachineTranslationApi)
