# Every third-party library, found once here. Layers link the imported targets below:
#   MPI::MPI_CXX  chorus::hdf5  chorus::sndfile  chorus::soxr  chorus::fftw3f  CLI11::CLI11  torch
#   openvino::runtime (when CHORUS_WITH_OPENVINO); torch only when CHORUS_WITH_TORCH
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(MPI REQUIRED COMPONENTS C CXX)

# HDF5: CMake's FindHDF5 first (prefers the parallel build Debian ships with Open MPI); when its
# compiler wrapper is unusable (unpacked .debs on the GPU machine), pkg-config.
set(HDF5_PREFER_PARALLEL ON)
find_package(HDF5 COMPONENTS C QUIET)
add_library(chorus_hdf5 INTERFACE)
if(HDF5_FOUND)
  target_include_directories(chorus_hdf5 SYSTEM INTERFACE ${HDF5_C_INCLUDE_DIRS} ${HDF5_INCLUDE_DIRS})
  target_link_libraries(chorus_hdf5 INTERFACE ${HDF5_C_LIBRARIES} ${HDF5_LIBRARIES})
  target_compile_definitions(chorus_hdf5 INTERFACE ${HDF5_DEFINITIONS})
  message(STATUS "HDF5 ${HDF5_VERSION} via FindHDF5 (parallel: ${HDF5_IS_PARALLEL})")
else()
  pkg_search_module(HDF5PC REQUIRED IMPORTED_TARGET hdf5-openmpi hdf5-serial hdf5)
  target_link_libraries(chorus_hdf5 INTERFACE PkgConfig::HDF5PC)
  message(STATUS "HDF5 ${HDF5PC_VERSION} via pkg-config (${HDF5PC_MODULE_NAME})")
endif()
add_library(chorus::hdf5 ALIAS chorus_hdf5)

pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
pkg_check_modules(SOXR REQUIRED IMPORTED_TARGET soxr)
pkg_check_modules(FFTW3F REQUIRED IMPORTED_TARGET fftw3f)
add_library(chorus::sndfile ALIAS PkgConfig::SNDFILE)
add_library(chorus::soxr ALIAS PkgConfig::SOXR)
add_library(chorus::fftw3f ALIAS PkgConfig::FFTW3F)

find_package(CLI11 CONFIG QUIET)
if(NOT TARGET CLI11::CLI11)
  find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  target_include_directories(CLI11::CLI11 INTERFACE ${CLI11_INCLUDE_DIR})
endif()

# libtorch from the PyTorch wheel: its CMake package sits inside the Python install.
# CHORUS_WITH_TORCH=OFF: the torch-free build for Kaggle (README, "Kaggle"): synth, prep, features,
# score, report, tune-post, infer and pseudo on OpenVINO only; no train, export or torch engine.
option(CHORUS_WITH_TORCH "Build with libtorch (training, export, the torch engine)" ON)
set(CHORUS_TORCH_CUDA OFF)
set(CHORUS_NCCL OFF)
if(CHORUS_WITH_TORCH)
  if(NOT Torch_DIR)
    find_package(Python3 COMPONENTS Interpreter REQUIRED)
    execute_process(COMMAND ${Python3_EXECUTABLE} -c "import torch.utils; print(torch.utils.cmake_prefix_path)"
      OUTPUT_VARIABLE CHORUS_TORCH_PREFIX OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _torch_rc)
    if(NOT _torch_rc EQUAL 0)
      message(FATAL_ERROR "PyTorch is not importable by ${Python3_EXECUTABLE}: run tools/setup.sh")
    endif()
    list(APPEND CMAKE_PREFIX_PATH ${CHORUS_TORCH_PREFIX})
  endif()
  find_package(Torch REQUIRED)
  # Torch's flags carry -D_GLIBCXX_USE_CXX11_ABI; every layer must agree with it, not only the model layer.
  add_compile_options(${TORCH_CXX_FLAGS})
  if(TARGET torch_cuda OR CAFFE2_USE_CUDA OR USE_CUDA)
    set(CHORUS_TORCH_CUDA ON)
  endif()

  # NCCL: compiled in whenever torch has CUDA, from the wheel's nvidia-nccl package or the system.
  if(CHORUS_TORCH_CUDA)
    if(NOT NCCL_ROOT)
      execute_process(COMMAND ${Python3_EXECUTABLE} -c "import nvidia.nccl as n; print(list(n.__path__)[0])"
        OUTPUT_VARIABLE NCCL_ROOT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    endif()
    find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${NCCL_ROOT}/include /usr/local/cuda/include)
    find_library(NCCL_LIBRARY NAMES nccl libnccl.so.2 HINTS ${NCCL_ROOT}/lib /usr/local/cuda/lib64)
    if(NCCL_INCLUDE_DIR AND NCCL_LIBRARY)
      set(CHORUS_NCCL ON)
      add_library(chorus_nccl INTERFACE)
      target_include_directories(chorus_nccl SYSTEM INTERFACE ${NCCL_INCLUDE_DIR})
      target_link_libraries(chorus_nccl INTERFACE ${NCCL_LIBRARY})
      add_library(chorus::nccl ALIAS chorus_nccl)
    endif()
  endif()
  message(STATUS "torch ${Torch_VERSION}: CUDA ${CHORUS_TORCH_CUDA}, NCCL ${CHORUS_NCCL}")
else()
  # The ABI torch's flags choose (and the OpenVINO wheel's), spelt out so that both trees compile
  # with the same command lines and the torch-free one is mostly ccache hits.
  add_compile_options(-D_GLIBCXX_USE_CXX11_ABI=1)
  message(STATUS "torch: not used (CHORUS_WITH_TORCH=OFF)")
endif()

# OpenVINO from the `openvino` wheel (tools/setup.sh installs it): like torch's, the wheel ships the
# C++ headers, the libraries and OpenVINOConfig.cmake (in its cmake/ folder). AUTO: used when found.
if(NOT CHORUS_WITH_TORCH)  # without torch, OpenVINO is the only engine: required
  set(CHORUS_WITH_OPENVINO ON CACHE STRING "" FORCE)
endif()
set(CHORUS_WITH_OPENVINO AUTO CACHE STRING "Build the OpenVINO inference engine: AUTO, ON or OFF")
set_property(CACHE CHORUS_WITH_OPENVINO PROPERTY STRINGS AUTO ON OFF)
set(CHORUS_OPENVINO OFF)
if(NOT CHORUS_WITH_OPENVINO STREQUAL "OFF")
  if(NOT OpenVINO_DIR)
    if(NOT Python3_EXECUTABLE)
      find_package(Python3 COMPONENTS Interpreter QUIET)
    endif()
    execute_process(COMMAND ${Python3_EXECUTABLE} -c "import openvino, os; print(os.path.dirname(openvino.__file__))"
      OUTPUT_VARIABLE CHORUS_OPENVINO_PACKAGE OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(CHORUS_OPENVINO_PACKAGE AND EXISTS ${CHORUS_OPENVINO_PACKAGE}/cmake/OpenVINOConfig.cmake)
      set(OpenVINO_DIR ${CHORUS_OPENVINO_PACKAGE}/cmake)
    endif()
  endif()
  find_package(OpenVINO QUIET COMPONENTS Runtime)
  if(OpenVINO_FOUND)
    set(CHORUS_OPENVINO ON)
  elseif(CHORUS_WITH_OPENVINO STREQUAL "ON")
    message(FATAL_ERROR "CHORUS_WITH_OPENVINO=ON, but OpenVINOConfig.cmake was not found: run tools/setup.sh")
  endif()
endif()
message(STATUS "OpenVINO engine: ${CHORUS_OPENVINO} ${OpenVINO_VERSION}")

if(CHORUS_BUILD_TESTS AND CHORUS_WITH_TORCH)
  find_package(GTest REQUIRED)
endif()
