// The built-in line model (generated: see line_model_data.cc).
#ifndef CHAFF_DETECT_LINE_MODEL_DATA_H_
#define CHAFF_DETECT_LINE_MODEL_DATA_H_

#include <string_view>

namespace chaff {
namespace internal {

// The model file of the built-in model (JSON, chaff-line-model-v1).
std::string_view DefaultLineModelJson();

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_DETECT_LINE_MODEL_DATA_H_
