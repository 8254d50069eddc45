// Dispatch entry for the tokenizer. (The Highway kernel replaces this body.)
#include "chaff/tokenize.h"

namespace chaff {

void Tokenize(std::string_view text, uint64_t seed, Tokens* out) {
  TokenizeScalar(text, seed, out);
}

}  // namespace chaff
