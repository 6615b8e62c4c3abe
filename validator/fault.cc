#include "vouch/validator/fault.h"

namespace vouch::validator {

std::string_view FaultName(Fault fault) {
  switch (fault) {
    case Fault::kNone:
      return "none";
    case Fault::kWrongShare:
      return "wrong-share";
    case Fault::kBadCountersignature:
      return "bad-countersignature";
    case Fault::kRefuseAll:
      return "refuse-all";
    case Fault::kDriftAll:
      return "drift-all";
  }
  return "none";
}

Result<Fault> ParseFault(std::string_view name) {
  for (Fault f :
       {Fault::kNone, Fault::kWrongShare, Fault::kBadCountersignature, Fault::kRefuseAll, Fault::kDriftAll}) {
    if (FaultName(f) == name) return f;
  }
  return Error(Code::kInvalidArgument,
               StrCat("--fault: unknown fault '", name,
                      "' (expected wrong-share, bad-countersignature, refuse-all or drift-all)"));
}

}  // namespace vouch::validator
