# Sources of libskbremap_emu, shared by tools/emulator/Makefile and
# tests/c/Makefile (which builds them again with sanitizers). Paths are
# relative to the repository root, $(ROOT).
CORE_SRCS := kernel/core/config.c kernel/core/window.c kernel/core/info.c \
	kernel/core/path.c \
	kernel/core/filter_check.c kernel/core/fanout.c
EMU_SRCS := tools/emulator/emu.c tools/emulator/region.c \
	tools/emulator/worker.c tools/emulator/queue.c \
	tools/emulator/source.c tools/emulator/source_afpacket.c \
	tools/emulator/source_pcap.c tools/emulator/source_synthetic.c \
	tools/emulator/filter.c tools/emulator/skbpool.c \
	tools/emulator/calibrate.c tools/emulator/fanout.c
EMU_HDRS := tools/emulator/skbremap_emu.h tools/emulator/emu_internal.h \
	kernel/core/skbremap_core.h kernel/core/host.h \
	kernel/include/uapi/linux/skbremap.h
EMU_CPPFLAGS := -I$(ROOT)/kernel/include/uapi \
	-I$(ROOT)/kernel/core -I$(ROOT)/tools/emulator
EMU_LDLIBS := -lpcap -pthread
