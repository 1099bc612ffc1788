# Devices of FAME's qemu-system-x86_64 (configure --with-devices-x86_64=fame).
# The fame machine, plus q35 and ivshmem for comparisons with the old
# one-QEMU-per-node way of emulating fabric-attached memory.
CONFIG_FAME=y
CONFIG_Q35=y
CONFIG_IVSHMEM_DEVICE=y
CONFIG_FAM_FABRIC=y
