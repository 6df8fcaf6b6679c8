import time

from django.core.management.base import BaseCommand, CommandError

from isek.demo import land


class Command(BaseCommand):
    help = ("Illustrative data of a Land-sized installation for load tests (isek.demo.land): cities with fake "
            "keys 0599NNNN, public concepts with funding areas, measures with costs and financing, published ideas.")

    def add_arguments(self, parser):
        parser.add_argument("--cities", type=int, default=400)
        parser.add_argument("--concepts", type=int, default=3, help="per city")
        parser.add_argument("--measures", type=int, default=30, help="per concept")
        parser.add_argument("--ideas", type=int, default=200_000, help="in all, spread over the concepts")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, cities, concepts, measures, ideas, seed, **opts):
        t0 = time.monotonic()
        try:
            made = land.generate(cities, concepts, measures, ideas, seed=seed)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{made.cities} Städte, {made.concepts} Konzepte, {made.measures} Maßnahmen, "
                          f"{made.ideas} Ideen (illustrativ) in {time.monotonic() - t0:.0f} s")
