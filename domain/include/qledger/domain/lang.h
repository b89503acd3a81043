// The one language of what people read (SPEC §6 `--lang zh|en`): headers,
// grades, event kinds, components, yes/no and the sentences of a
// derivation. Machine forms (JSON keys and enum values, event types in
// exports) never change with it.
#ifndef QLEDGER_DOMAIN_LANG_H_
#define QLEDGER_DOMAIN_LANG_H_

#include <optional>
#include <string>
#include <string_view>

#include "qledger/domain/batch.h"  // QuarterStatus
#include "qledger/domain/event.h"

namespace qledger::domain {

enum class Lang { kZh, kEn };

// "zh" or "en"; nullopt for anything else.
std::optional<Lang> ParseLang(std::string_view name);
const char* LangName(Lang lang);

// The text of the two that is in `lang`.
inline std::string Pick(Lang lang, std::string_view zh, std::string_view en) {
  return std::string(lang == Lang::kZh ? zh : en);
}

// 优秀 / 合格 / 不合格, or the grade itself in English.
std::string GradeLabel(std::string_view grade, Lang lang);
// 未审定 / 已审定 / 已重新打开, or open / approved / reopened.
std::string StatusLabel(QuarterStatus status, Lang lang);
// The same for a status by its name ("approved"); another name as it is.
std::string StatusLabel(std::string_view status_name, Lang lang);
// 自查上报 …, or the event type itself (selfcheck.reported) in English.
std::string EventTypeLabel(EventType type, Lang lang);
// A score.adjusted component (selfcheck / survey / complaint / total).
std::string ComponentLabel(std::string_view component, Lang lang);
std::string YesNo(bool b, Lang lang);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_LANG_H_
