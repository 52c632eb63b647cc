#include <gtest/gtest.h>

#include "io/image_grid.h"

using namespace gencli;

TEST(Grid, LaysTilesOutLikeMakeGrid) {
  // Three 2x2 images, two per row, 2-pixel gaps and border: 10 x 10 pixels.
  torch::Tensor images = torch::stack({torch::full({1, 2, 2}, 1.0), torch::full({1, 2, 2}, 0.5),
                                       torch::full({1, 2, 2}, 0.25)});
  torch::Tensor grid = make_grid(images, 2);
  ASSERT_EQ(grid.sizes(), (std::vector<int64_t>{10, 10, 1}));
  EXPECT_EQ(grid[2][2][0].item<int>(), 255);   // tile 0 at (2, 2)
  EXPECT_EQ(grid[3][3][0].item<int>(), 255);
  EXPECT_EQ(grid[2][6][0].item<int>(), 128);   // tile 1 at (2, 6): round(0.5 * 255)
  EXPECT_EQ(grid[6][2][0].item<int>(), 64);    // tile 2 at (6, 2): round(0.25 * 255)
  EXPECT_EQ(grid[6][6][0].item<int>(), 0);     // no fourth tile
  EXPECT_EQ(grid[0][0][0].item<int>(), 0);     // border
  EXPECT_EQ(grid[2][4][0].item<int>(), 0);     // gap between tiles
  EXPECT_EQ(grid.sum().item<int64_t>(), 4 * (255 + 128 + 64));
}

TEST(Grid, MnistSizedGridIs242PixelsWide) {
  torch::Tensor grid = make_grid(torch::zeros({64, 1, 28, 28}), 8);
  EXPECT_EQ(grid.size(0), 242);
  EXPECT_EQ(grid.size(1), 242);
}

TEST(Grid, MapsTanhRangeToUnit) {
  torch::Tensor x = torch::tensor({-1.0f, 0.0f, 1.0f});
  EXPECT_TRUE(torch::allclose(to_unit_range(x, "tanh"), torch::tensor({0.0f, 0.5f, 1.0f})));
  EXPECT_TRUE(torch::equal(to_unit_range(x, "unit"), x));
}
