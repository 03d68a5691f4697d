"""`thematic agreement`: how far inspectors who scored the same cases agree, and what to moderate."""
from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from thematic.commands._options import add_output
from thematic.core.atomic import OutputSet

if TYPE_CHECKING:
    from thematic.commands._options import Subparsers


def run(args: argparse.Namespace) -> int:
    # Imported here: scipy and statsmodels take a second to load, which every other command would pay.
    from thematic.load.sample import load_sample
    from thematic.render.agreement_text import agreement_text
    from thematic.scoring.prepare import load_inspection
    from thematic.stats.agreement import agreement_from_sample

    inspection = load_inspection(args.inspection)
    with OutputSet() as outputs:
        if args.output:  # checked before the statistics: never an input of the inspection
            for path, what in inspection.input_files():
                outputs.read(path, what=what)
            outputs.file(args.output, option="-o")
        agreement = agreement_from_sample(load_sample(inspection))
        if args.output:
            outputs.add(args.output, json.dumps(agreement.to_json(), indent=2, ensure_ascii=False) + "\n")
        outputs.commit()
    print(agreement_text(agreement))
    if args.output:
        print(f"\nagreement written to {args.output}")
    return 0


def register(subparsers: Subparsers) -> None:
    p = subparsers.add_parser(
        "agreement", help="agreement between inspectors who double-scored cases, and the moderation list",
        description="For each judgement criterion and the overall grade: cases double-scored, raw agreement, "
                    "Cohen's kappa (linearly weighted for the grade), Krippendorff's alpha and Gwet's AC1, with "
                    "intervals where the method gives them; then every disagreement, moderated or open.")
    p.add_argument("inspection", metavar="INSPECTION.yaml", help="the inspection file (with its judgements files)")
    add_output(p, metavar="FILE.json", help="also write the agreement as JSON (thematic.agreement/1)")
    p.set_defaults(handler=run)
