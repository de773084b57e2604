build/vm-replay crashes/model-88794966/input.bin
