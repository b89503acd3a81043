// Scoring (SPEC §2) in four parts, each with its own header:
//   score.h              the Score and the grade/money rule (第十三条, 第十四条)
//   fold.h               one department's facts in a quarter, folded event by
//                        event, and the component rules (第八条–第十二条)
//   replay.h             the point of replay and the step-by-step derivation
//   derivation_render.h  the score and derivation as JSON and as text
// This header includes them all.
#ifndef QLEDGER_DOMAIN_SCORING_H_
#define QLEDGER_DOMAIN_SCORING_H_

#include "qledger/domain/derivation_render.h"
#include "qledger/domain/fold.h"
#include "qledger/domain/replay.h"
#include "qledger/domain/score.h"

#endif  // QLEDGER_DOMAIN_SCORING_H_
