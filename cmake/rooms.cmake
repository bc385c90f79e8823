# The rooms of DESIGN.md as build targets. Each room is an OBJECT library compiled against a view of
# the source tree that holds only its own folder and the rooms it may use (symbolic links under
# build/rooms/<room>/), so a room that includes another room's internal header it may not use
# fails to compile ("No such file or directory"). All rooms are linked into the one `orch` library.
#
#   orch_room(NAME DIR folder [USES room...] [LIBS target...])
#
# USES: the rooms whose internal headers it may include; LIBS: the third-party targets it may use.
# Every room sees the public headers (include/orch) and Abseil.

add_library(orch_public INTERFACE)
target_include_directories(orch_public INTERFACE ${PROJECT_SOURCE_DIR}/include)
target_link_libraries(orch_public INTERFACE absl::status absl::statusor absl::strings absl::time
  absl::synchronization absl::flat_hash_map absl::btree absl::hash)

# Adds to `target` the include view of a room and of the rooms it uses.
function(orch_room_view target room)
  target_include_directories(${target} PRIVATE ${PROJECT_BINARY_DIR}/rooms/${room})
endfunction()

function(orch_make_view name)
  set(view ${PROJECT_BINARY_DIR}/rooms/${name})
  file(REMOVE_RECURSE ${view})
  foreach(room ${ARGN})
    get_property(dir GLOBAL PROPERTY ORCH_ROOM_DIR_${room})
    if(NOT dir)
      message(FATAL_ERROR "room ${name} uses room ${room}, which is not defined (yet)")
    endif()
    get_filename_component(parent ${view}/${dir} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${dir} ${view}/${dir} SYMBOLIC)
  endforeach()
endfunction()

function(orch_room name)
  cmake_parse_arguments(ROOM "" "DIR" "USES;LIBS" ${ARGN})
  set_property(GLOBAL PROPERTY ORCH_ROOM_DIR_${name} ${ROOM_DIR})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${ROOM_DIR}/*.cc)
  add_library(orch_${name} OBJECT ${sources})
  set_target_properties(orch_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  orch_make_view(${name} ${name} ${ROOM_USES})
  orch_room_view(orch_${name} ${name})
  target_link_libraries(orch_${name} PRIVATE orch_public ${ROOM_LIBS})
  set_property(GLOBAL APPEND PROPERTY ORCH_ROOMS orch_${name})
endfunction()
