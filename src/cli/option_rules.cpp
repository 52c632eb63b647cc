#include "cli/option_rules.h"

#include <charconv>

#include "core/config_fields.h"
#include "core/errors.h"

namespace gencli::cli {

namespace {

using Flags = SamplingFlags;

// One row: whether the user set the option, whether the family reads it, and the error.
struct Rule {
  bool (*set)(const Flags&);
  bool (*applies)(const Capabilities&);
  std::string (*refusal)(const Flags&, const std::string& model_type);
};

bool text(const Capabilities& c) { return c.output == Output::text; }
bool audio(const Capabilities& c) { return c.output == Output::audio; }
bool not_text(const Capabilities& c) { return !text(c); }
bool not_audio(const Capabilities& c) { return !audio(c); }
bool iterative_sampler(const Capabilities& c) { return c.reads.iterative_sampler; }
bool temperature(const Capabilities& c) { return c.reads.temperature; }
bool cache(const Capabilities& c) { return c.reads.cache; }
bool latents(const Capabilities& c) { return c.reads.latents; }

bool ends_in_png(const std::string& path) { return path.size() >= 4 && path.substr(path.size() - 4) == ".png"; }

bool prompts(const Capabilities& c) { return c.reads.prompts; }
bool text_or_prompts(const Capabilities& c) { return text(c) || prompts(c); }

const Rule kSampleRules[] = {
    {[](const Flags& f) { return !f.prompt.empty(); }, text_or_prompts,
     [](const Flags&, const std::string& t) {
       return "--prompt: model.type " + t + " neither generates text nor draws images for prompts";
     }},
    {[](const Flags& f) { return f.max_new_tokens != 200 || f.top_k != 0 || f.top_p != 1.0; }, text,
     [](const Flags&, const std::string& t) {
       return "--max-new-tokens/--top-k/--top-p: model.type " + t + " does not generate text";
     }},
    {[](const Flags& f) { return !f.prompts_file.empty() || !f.negative_prompt.empty(); }, prompts,
     [](const Flags&, const std::string& t) {
       return "--prompts/--negative-prompt: this model.type " + t + " checkpoint is not text-to-image "
              "(model.text_conditional)";
     }},
    {[](const Flags& f) { return !f.prompts_file.empty() && !f.prompt.empty(); }, [](const Capabilities&) { return false; },
     [](const Flags&, const std::string&) { return std::string("--prompt and --prompts: give one or the other"); }},
    {[](const Flags& f) { return f.mode != "prior"; }, not_text,
     [](const Flags& f, const std::string&) { return "--mode " + f.mode + ": text models only continue a --prompt"; }},
    {[](const Flags& f) { return f.temperature == 0; }, text,
     [](const Flags&, const std::string& t) {
       return "--temperature 0 (greedy decoding) is for text models; model.type " + t + " needs T > 0";
     }},
    {[](const Flags& f) { return f.sampler != "default" || f.eta != 0 || f.guidance >= 0 || f.resample != 1; },
     iterative_sampler,
     [](const Flags&, const std::string& t) {
       return "--sampler/--eta/--guidance/--resample: model.type " + t + " has no iterative sampler";
     }},
    // In a mode other than prior the mode reads --steps (the VAE's interpolate and manifold).
    {[](const Flags& f) { return f.steps != 0 && f.mode == "prior"; }, iterative_sampler,
     [](const Flags& f, const std::string& t) {
       return "--steps " + std::to_string(f.steps) + ": model.type " + t +
              " has no iterative sampler (--steps sets a diffusion model's denoising steps)";
     }},
    {[](const Flags& f) { return f.temperature != 1.0; }, temperature,
     [](const Flags&, const std::string& t) {
       return "--temperature: model.type " + t + " does not draw from categorical outputs";
     }},
    {[](const Flags& f) { return f.seconds != 1.0; }, audio,
     [](const Flags&, const std::string& t) { return "--seconds: model.type " + t + " does not generate audio"; }},
    {[](const Flags& f) { return f.no_cache; }, cache,
     [](const Flags&, const std::string& t) { return "--no-cache: model.type " + t + " keeps no generation cache"; }},
    {[](const Flags& f) { return !f.latents.empty(); }, latents,
     [](const Flags& f, const std::string& t) {
       return "--latents " + f.latents + ": model.type " + t + " does not decode latent vectors";
     }},
    {[](const Flags& f) { return !f.latents.empty() && f.mode != "prior"; }, [](const Capabilities&) { return false; },
     [](const Flags& f, const std::string&) { return "--latents: only the prior mode decodes them, not --mode " + f.mode; }},
    {[](const Flags& f) { return f.mode != "prior"; }, not_audio,
     [](const Flags& f, const std::string&) {
       return "--mode " + f.mode + ": audio models only draw new clips (prior)";
     }},
    {[](const Flags& f) { return ends_in_png(f.out); }, not_audio,
     [](const Flags& f, const std::string& t) {
       return "--out " + f.out + ": model.type " + t + " generates audio; name a .wav file";
     }},
};

// `gencli eval --features` draws samples with the family's default settings unless told.
const Rule kEvalRules[] = {
    {[](const Flags& f) { return f.sampler != "default" || f.steps != 0; }, iterative_sampler,
     [](const Flags&, const std::string& t) { return "--sampler/--steps: model.type " + t + " has no iterative sampler"; }},
    {[](const Flags& f) { return f.temperature != 1.0; }, temperature,
     [](const Flags&, const std::string& t) {
       return "--temperature: model.type " + t + " does not draw from categorical outputs";
     }},
};

template <size_t N>
void check(const Rule (&rules)[N], const Flags& flags, const Capabilities& caps, const std::string& model_type) {
  for (const Rule& rule : rules)
    if (rule.set(flags) && !rule.applies(caps)) throw UserError(rule.refusal(flags, model_type));
}

}  // namespace

CLI::Validator integer_in(int64_t lo, int64_t hi) {
  const std::string range = hi == std::numeric_limits<int64_t>::max()
                                ? "an integer >= " + std::to_string(lo) + " (at most 2^63 - 1)"
                                : "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        const char* begin = text.data() + (!text.empty() && text[0] == '+' ? 1 : 0);
        const char* end = text.data() + text.size();
        int64_t value = 0;
        const auto [ptr, ec] = std::from_chars(begin, end, value);
        if (begin == end || ptr != end || ec != std::errc() || value < lo || value > hi)
          return "expected " + range + ", got " + config::echo_text(text);
        return {};
      },
      hi == std::numeric_limits<int64_t>::max() ? "INT >= " + std::to_string(lo)
                                                : "INT in [" + std::to_string(lo) + " - " + std::to_string(hi) + "]",
      "INTEGER_IN");
}

void check_sample_options(const SamplingFlags& flags, const Capabilities& caps, const std::string& model_type) {
  check(kSampleRules, flags, caps, model_type);
}

void check_eval_options(const SamplingFlags& flags, const Capabilities& caps, const std::string& model_type) {
  check(kEvalRules, flags, caps, model_type);
}

}  // namespace gencli::cli
