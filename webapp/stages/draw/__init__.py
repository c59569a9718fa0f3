"""The draw (双随机抽取): commit-and-reveal ceremonies, their manifests, and the departments' confirmation."""
