package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/kevy-go/kevy"
	"github.com/kevy-go/kevy/server"
)

// shutdownGrace bounds how long connections may take to finish their
// current batch after SIGTERM, SIGINT or SHUTDOWN.
const shutdownGrace = 10 * time.Second

// serve runs the server until a signal or SHUTDOWN stops it.
func serve(o *options, stdout, stderr io.Writer) int {
	if o.dir != "" {
		if err := os.Chdir(o.dir); err != nil {
			fmt.Fprintf(stderr, "Can't chdir to '%s': %v\n", o.dir, err)
			return 1
		}
	}
	lc, err := newLog(o, stdout)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer lc.close()
	log := lc.logger
	log.Info(fmt.Sprintf("kevy %s (Redis %s compatible) starting, pid=%d", version, redisVersion, os.Getpid()))
	if len(o.ignored) > 0 {
		log.Warn("ignoring directives kevy does not need: " + strings.Join(o.ignored, ", "))
	}

	st, err := kevy.Open(o.storeOptions(lc))
	if err != nil {
		log.Error(err.Error())
		return 1
	}
	defer st.Close()
	scfg := o.serverConfig(lc)
	var rp *rdbPersistence
	if o.appendonly {
		scfg.Persistence = newPersistence(st)
		if ls := st.LoadStats(); ls.Keys > 0 || ls.Records > 0 {
			log.Info(fmt.Sprintf("DB loaded from disk: %d keys, %d log records in %v", ls.Keys, ls.Records, ls.Duration))
		}
	} else {
		// redis-server's default: dbfilename, the save points.
		if rp, err = newRDBPersistence(st, o.dbfilename, parseSavePoints(o.save), log); err != nil {
			log.Error(err.Error())
			return 1
		}
		defer rp.stop()
		scfg.Persistence = rp
	}
	srv := server.New(st, scfg)
	for i, p := range o.params {
		if err := srv.ConfigSet(p[0], p[1]); err != nil {
			reason := errBadDirective
			if _, r, ok := strings.Cut(err.Error(), ") - "); ok { // a known parameter, a bad value
				reason = r
			}
			fmt.Fprintln(stderr, &configError{o.paramLines[i], reason})
			return 1
		}
	}
	ls, err := srv.Listen()
	if err != nil {
		log.Error("Failed listening: " + err.Error())
		return 1
	}
	for _, l := range ls {
		log.Info("Ready to accept connections " + l.Addr().Network() + " " + l.Addr().String())
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	stopped := make(chan struct{})
	go func() { // owned by serve, which waits for it below
		defer close(stopped)
		select {
		case sig := <-sigs:
			log.Warn(fmt.Sprintf("Received %v scheduling shutdown...", sig))
			srv.Shutdown(context.Background()) // bounded: serve closes what is left after the grace period
		case <-srv.Done():
		}
	}()

	err = srv.ServeListeners(ls)
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if serr := srv.Shutdown(ctx); serr != nil {
		log.Warn("connections still busy after the grace period; closing them")
		srv.Close()
	}
	<-stopped
	if err != nil && !errors.Is(err, server.ErrServerClosed) {
		log.Error("server error: " + err.Error())
		return 1
	}
	if rp != nil {
		if err := rp.final(); err != nil {
			log.Error("Error trying to save the DB before exiting: " + err.Error())
			return 1
		}
	}
	log.Warn("kevy is now ready to exit, bye bye...")
	return 0
}
