# Built by build.cjs only when pkg-config finds OpenBLAS (Debian: libopenblas-dev).
{
  "targets": [
    {
      "target_name": "sigprop_native",
      "sources": ["src/addon.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "cflags": ["<!@(pkg-config --cflags openblas)"],
      "cflags_cc": ["-O3", "-std=c++17", "-ffp-contract=off"],
      "libraries": ["<!@(pkg-config --libs openblas)"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"]
    }
  ]
}
