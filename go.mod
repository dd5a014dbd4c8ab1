module latent

go 1.26
