#include "models/linreg/linreg_model.h"

#include <cstdio>

namespace gencli::linreg {

namespace {

std::string list(const torch::Tensor& t) {
  std::string s = "[";
  auto flat = t.detach().flatten().to(torch::kDouble);
  for (int64_t i = 0; i < flat.numel(); ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%.6f", i ? ", " : "", flat[i].item<double>());
    s += buf;
  }
  return s + "]";
}

double scalar(const torch::Tensor& t) { return t.detach().item<double>(); }

}  // namespace

namespace {

Capabilities linreg_capabilities() {
  Capabilities c;
  c.output = Output::nothing;
  c.needs_data = false;
  return c;
}

}  // namespace

LinregModel::LinregModel(LinregConfig config) : Model(linreg_capabilities()), config_(std::move(config)) {
  line = register_module("line", torch::nn::Linear(1, 1));
  torch::NoGradGuard no_grad;
  line->weight.fill_(config_.init_weight);
  line->bias.fill_(config_.init_bias);
  x_ = torch::tensor(config_.x, torch::kFloat).view({-1, 1});
  y_ = torch::tensor(config_.y, torch::kFloat).view({-1, 1});
}

std::vector<OptimizedPart> LinregModel::optimized_parts() { return {{"line", line->parameters()}}; }

torch::Tensor LinregModel::mse() { return torch::mse_loss(line->forward(x_.to(line->weight.device())),
                                                          y_.to(line->weight.device())); }

StepMetrics LinregModel::train_step(StepContext& ctx) {
  const bool explain = ctx.explain && ctx.step == 0;
  const torch::Device device = line->weight.device();
  if (explain) std::printf("Epoch 1, step by step (x = %s, y = %s)\n", list(x_).c_str(), list(y_).c_str());

  // 1. Forward pass: predictions y_hat = w x + b.
  torch::Tensor prediction = line->forward(x_.to(device));
  if (explain)
    std::printf("1. forward pass     y_hat = w*x + b = %.6f*x + %.6f = %s\n", scalar(line->weight),
                scalar(line->bias), list(prediction).c_str());

  // 2. Loss: mean squared error.
  torch::Tensor loss = torch::mse_loss(prediction, y_.to(device));
  if (explain) std::printf("2. loss             MSE = mean((y_hat - y)^2) = %.6f\n", scalar(loss));

  // 3. Reset the gradients left by the previous step.
  ctx.optimizers->zero_grad("line");
  if (explain) std::printf("3. gradient reset   dL/dw and dL/db cleared before backward\n");

  // 4. Backpropagation: autograd fills dL/dw and dL/db.
  ctx.optimizers->backward(loss);
  if (explain)
    std::printf("4. backward pass    dL/dw = %.6f, dL/db = %.6f\n", scalar(line->weight.grad()),
                scalar(line->bias.grad()));

  // 5. The optimizer's update: w <- w - lr * dL/dw (plain SGD).
  const double w_before = scalar(line->weight), b_before = scalar(line->bias);
  ctx.optimizers->update("line");
  if (explain)
    std::printf("5. optimizer update w <- w - lr*dL/dw: %.6f -> %.6f;  b <- b - lr*dL/db: %.6f -> %.6f\n", w_before,
                scalar(line->weight), b_before, scalar(line->bias));

  // 6. The parameters after the step.
  if (explain)
    std::printf("6. parameters after w = %.6f, b = %.6f (MSE now %.6f)\n", scalar(line->weight),
                scalar(line->bias), scalar(mse()));
  ++steps_done_;
  return {{"loss", scalar(loss)}, {"weight", scalar(line->weight)}, {"bias", scalar(line->bias)}};
}

void LinregModel::on_train_end(bool explain) {
  if (!explain) return;
  torch::NoGradGuard no_grad;
  std::printf("After the run: y = %.6f*x + %.6f, MSE = %.6f (target y = 2x + 1)\n", scalar(line->weight),
              scalar(line->bias), scalar(mse()));
}

nlohmann::json LinregModel::evaluate(EvalContext&) {
  torch::NoGradGuard no_grad;
  return {{"weight", scalar(line->weight)}, {"bias", scalar(line->bias)}, {"mse", scalar(mse())}};
}

}  // namespace gencli::linreg
