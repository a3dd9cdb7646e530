#!/usr/bin/env bash
# What the machine that figures come from is (date, kernel, cores, Node, GPUs, Vulkan drivers), for
# bench/gpu-machine.sh and the GPU payload's run.sh (bench/gpu-payload.sh copies it in):
#   bash machine-record.sh "commit abc1234" > machine.txt     (the argument ends the first line)
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $1"
uname -a
echo "cores: $(nproc)"
node --version
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || echo "nvidia-smi: not available"
ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>&1
