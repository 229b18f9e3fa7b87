# Configs cli.config_space (tests/fuzz/config_space.py) drew that failed, each kept as a test of
# its fix. Included by tests/CMakeLists.txt, after the functions it calls.
# Found by cli.config_space: nested pvDMT with 1G host pages everywhere. L1's frames for its TEA
# over L2 memory sit inside a 1G host page already, and L0 tried to map them again with 4K pages
# (exit 1 before). A large host page over them makes them host-contiguous as they are.
mmusim_cli_test(nested_pvdmt_host_1g
  ARGS run ${DEFAULT_CONFIG} --set system.virtualization=nested --set system.nested_walk=hw3d
       --set system.dmt=pvdmt --set system.host_page=1G --set system.host_huge_fraction=1
       --set workload.count=5000
  STATS "oracle_mismatches=0;translations=5000")
# Found by cli.config_space: a TLB with no array for a translation's size holds a splinter of
# it, and a hit there gives the splinter's size, which the oracle check once counted as a
# mismatch (exit 3). Guest 2M over host 1G pages (2M translations) with an L1 DTLB of 4K only;
# 1G in both with an STLB of 4K and 2M only; LT and AT alike.
set(SPLINTER_L1 run ${DEFAULT_CONFIG} --set system.guest_page=2M --set system.host_page=1G
    --set workload.count=4000 --set workload.footprint_mib=16
    "--set" "mmu.dtlb.arrays={a0: {sizes: [4K], entries: 32, ways: 4}}")
set(SPLINTER_STLB run ${DEFAULT_CONFIG} --set system.guest_page=1G --set system.host_page=1G
    --set workload.count=4000 --set workload.footprint_mib=1 --set workload.vmas=8
    --set workload.vma_gap_kib=1008324
    "--set" "mmu.stlb.arrays={a0: {sizes: [4K, 2M], entries: 64, ways: 1}}")
# The nested TLB's splinters size the walk's result: 1G in both dimensions, a nested TLB of 2M
# only, churn so that walks repeat.
set(SPLINTER_NTLB run ${DEFAULT_CONFIG} --set system.guest_page=1G --set system.host_page=1G
    --set workload.count=7000 --set workload.footprint_mib=1 --set workload.churn_every=20
    "--set" "mmu.walker.nested_tlb.arrays={a0: {sizes: [2M], entries: 2, ways: 2}}")
mmusim_cli_test(tlb_splinter_l1 ARGS ${SPLINTER_L1} STATS "oracle_mismatches=0;a0_hits>0")
mmusim_cli_test(tlb_splinter_nested_tlb ARGS ${SPLINTER_NTLB} STATS "oracle_mismatches=0;a0_hits>0")
mmusim_cli_test(tlb_splinter_stlb ARGS ${SPLINTER_STLB} STATS "oracle_mismatches=0")
mmusim_lt_at_same_test(tlb_splinter_l1 ${SPLINTER_L1})
# Found by cli.config_space: shadow paging, a 1G guest page over 2M host pages, mprotect. A
# store to the write-protected page made it writable again, and the hypervisor's sync dropped
# the page's 512 shadow entries; the retried store refilled one, and the TLBs' read-only pieces
# of the others outlived their shadow entries (exit 3). The sync now rewrites the entries in
# place (ShadowingScheme::on_leaf_upgraded).
mmusim_cli_test(shadow_upgrade_splintered
  ARGS run ${DEFAULT_CONFIG} --set system.virtualization=shadow --set system.guest_page=1G
       --set system.host_page=2M --set workload.mprotect_every=500 --set workload.count=5000
       --set workload.footprint_mib=64
  STATS "oracle_mismatches=0;write_protect_faults>0")
# Found by cli.config_space: several cores with private regions whose last VMA grows. Core c's
# region started c GiB-rounded spans of its VMAs above the base, and core 0's VMA grew into core
# 1's (exit 1). A span now keeps room for the most the VMA can grow.
mmusim_cli_test(private_regions_grow
  ARGS run ${DEFAULT_CONFIG} --set system.cores=2 --set workload.sharing=private
       --set workload.footprint_mib=128 --set workload.vma_growth.every=100
       --set workload.vma_growth.mib=64 --set workload.count=2000 --set workload.prefault=false
  STATS "oracle_mismatches=0;vma_growths>0")
