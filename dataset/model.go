package dataset

import "fmt"

// MetadataKey is the checkpoint metadata entry that names the dataset a
// model was trained on (a --dataset value).
const MetadataKey = "latent.dataset"

// ForModel chooses the images for a verb that reads a trained model: the
// dataset its checkpoint's metadata records, unless given (the command
// line's --dataset, "" when it named none) names another. A checkpoint
// without the entry (an older one, or a PyTorch state_dict) was trained on
// MNIST. When given differs from the recorded dataset, given wins (showing a
// model other images is allowed: eval does it on purpose) and note says so,
// for stderr.
func ForModel(meta map[string]string, given string) (spec, note string) {
	recorded := meta[MetadataKey]
	if recorded == "" {
		recorded = "mnist"
	}
	if given == "" {
		return recorded, ""
	}
	if given != recorded {
		note = fmt.Sprintf("the model was trained on %s; using --dataset %s as asked", recorded, given)
	}
	return given, note
}
