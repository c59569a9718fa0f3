"""Records (一企一表): dispatched from the inspectors' draw, their teams and experts, deadlines, media, who may see them."""
